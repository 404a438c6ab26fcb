"""Three families about the text layer itself, written before the parser was changed for them.

``spaced``
    letter-spaced headings, labels and values (``M O I S T U R E   9 . 8 1 2``, drawn
    with a character spacing, so each glyph is its own word in the text layer),
    fake-italic rows (the text matrix sheared, not rotated), fused or unusual analyte
    names (``7-OH-Mitragynine``, ``E.coli``, ``Yeast&Mold``, a lower-case ``aw``,
    ``E. coli (STEC)`` which is STEC and not generic E. coli) and a product block whose
    ``500 MG`` and ``mg/unit`` are no analyte.
``gridscan``
    an image-only scan of a heavily ruled table: thick grid lines, every other row on a
    grey band, a dark header band, colony counts with a raised exponent
    (``1.2 x 10`` and a small ``4`` above the line) and, in half the documents, decimal
    commas.
``garbled``
    a page whose visible text is an image while its text layer holds the same words
    through a broken font map (each character replaced by another, as when a PDF's
    fonts lack a usable ``ToUnicode``): the text layer is there and is nonsense.

The truth is built as for the other families (:func:`tests.synthetic.values.measure`);
only the drawing differs.
"""

from __future__ import annotations

import dataclasses
import io
import math
import random

import pdfplumber
import pypdfium2 as pdfium
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from tests.synthetic import draw, wild
from tests.synthetic.draw import MARGIN, Pen
from tests.synthetic.model import Panel, Sample
from tests.synthetic.scan import DPI as SCAN_DPI
from tests.synthetic.scan import rasterize
from tests.synthetic.values import Analyte, measure

#: STEC, printed as a parenthetical of E. coli: a different analyte.
STEC = Analyte("stec", "microbial", ("E. coli (STEC)",), "STEC", "STEC", 0, 0, 0, presence=True)
#: Fused or unusual printed names (the analyte stays the same).
FUSED = {
    "7_hydroxymitragynine": ("7-OH-Mitragynine", "7-OH-MG"),
    "e_coli": ("E.coli", "E.Coli"),
    "yeast_and_mold": ("Yeast&Mold", "Yeast/Mold"),
    "water_activity": ("aw", "a w"),
    "total_aerobic_count": ("TotalAerobicCount", "Aerobic-Plate-Count"),
    "mitragynine": ("Mitragynine",),
}


# --- spaced -------------------------------------------------------------------------


def spaced_sample(rng: random.Random) -> Sample:
    """A sample whose labels are fused variants, with a STEC row beside E. coli."""
    sample = wild.new_sample(rng, "spaced")
    wild.build_panels(sample, rng)
    for panel in sample.panels:
        for cell in panel.cells:
            if cell.analyte.code in FUSED and rng.random() < 0.7:
                cell.label = rng.choice(FUSED[cell.analyte.code])
        if panel.category == "microbial":
            stec = measure(STEC, "", sample.style, rng)
            stec.label = "E. coli (STEC)"
            panel.cells.append(stec)
    if not any(p.category == "physical" for p in sample.panels):
        moisture = next(a for a in wild.PHYSICAL if a.code == "moisture")
        cell = measure(moisture, "%", sample.style, rng)
        cell.label = "Moisture"
        sample.panels.append(Panel("physical", "Physical", [cell]))
    return sample


def _spaced_text(
    pen: Pen,
    x: float,
    y: float,
    text: str,
    size: float,
    bold: bool = False,
    spacing: float = 0.0,
    shear: float = 0.0,
) -> None:
    """``text`` at (x, y) with a character spacing (points) and a shear (fake italic, degrees)."""
    text = draw.printable(text)
    obj = pen.c.beginText()
    obj.setTextTransform(1, 0, math.tan(math.radians(shear)), 1, x, y)
    obj.setFont(pen.bold_font if bold else pen.font, size)
    obj.setCharSpace(spacing)
    obj.textOut(text)
    obj.setCharSpace(0)  # the spacing is text state: it would carry over to the next text drawn
    pen.c.drawText(obj)


def spaced(sample: Sample, rng: random.Random) -> bytes:
    """Letter-spaced headings, labels and values; sheared rows; a product block with MG."""
    out = io.BytesIO()
    pen = Pen(sample, out)
    s = sample
    _spaced_text(
        pen, MARGIN, pen.y, s.lab[0].upper(), 13, bold=True, spacing=rng.choice((3.0, 4.0))
    )
    pen.down(26)
    _spaced_text(pen, MARGIN, pen.y, "CERTIFICATE OF ANALYSIS", 12, bold=True, spacing=5.0)
    pen.down(24)
    draw.meta_block(pen, columns=rng.choice((1, 2)))
    fill = rng.choice((250, 500, 650))
    pen.text(MARGIN, f"Capsule fill weight: {fill} MG", 8.5)
    pen.down(12)
    pen.text(MARGIN, f"Serving size: 2 capsules ({2 * fill} mg/unit)", 8.5)
    pen.down(22)
    x_value, x_unit, x_status = MARGIN + 260, MARGIN + 340, MARGIN + 430
    for name, x in (
        ("ANALYTE", MARGIN),
        ("RESULT", x_value),
        ("UNIT", x_unit),
        ("STATUS", x_status),
    ):
        _spaced_text(pen, x, pen.y, name, 8.5, bold=True, spacing=2.5)
    pen.down(18)
    size = rng.choice((8.5, 9.0))
    for panel in s.panels:
        pen.need(40)
        _spaced_text(
            pen, MARGIN, pen.y, panel.title.upper(), 9.5, bold=True, spacing=rng.choice((3.0, 4.5))
        )
        pen.down(15)
        for cell in panel.cells:
            pen.need(14)
            cell.page = pen.page
            roll = rng.random()
            spacing = size * rng.uniform(0.45, 0.7) if roll < 0.35 else 0.0
            shear = rng.choice((10.0, 14.0, 18.0)) if 0.35 <= roll < 0.6 else 0.0
            if spacing and cell.analyte.code != "water_activity" and rng.random() < 0.5:
                cell.label = cell.label.upper()
            room = (
                x_value
                - MARGIN
                - 12
                - pdfmetrics.stringWidth(draw.printable(cell.label), pen.font, size)
            )
            spacing = max(
                0.0, min(spacing, room / max(len(cell.label), 1))
            )  # never into the value column
            _spaced_text(pen, MARGIN, pen.y, cell.label, size, spacing=spacing, shear=shear)
            _spaced_text(pen, x_value, pen.y, cell.text, size, spacing=spacing, shear=shear)
            _spaced_text(pen, x_unit, pen.y, cell.unit, size, shear=shear)
            _spaced_text(pen, x_status, pen.y, cell.status, size, shear=shear)
            pen.down(14)
        pen.down(6)
    draw.signature(pen)
    pen.finish()
    return out.getvalue()


# --- gridscan -----------------------------------------------------------------------


def gridscan_sample(rng: random.Random) -> Sample:
    """Counts as ``m x 10^e``; decimal commas in half the documents."""
    sample = wild.new_sample(rng, "gridscan")
    sample.style = dataclasses.replace(
        sample.style, sci="x10", decimal_comma=rng.random() < 0.5, thousands=False
    )
    wild.build_panels(sample, rng)
    return sample


def _text_with_power(pen: Pen, x: float, y: float, text: str, size: float) -> None:
    """``1.2 x 10^4`` drawn with the exponent raised and small."""
    if "^" not in text:
        pen.text(x, text, size, y=y)
        return
    base, exponent = text.split("^", 1)
    pen.text(x, base, size, y=y)
    width = pdfmetrics.stringWidth(draw.printable(base), pen.font, size)
    pen.text(x + width + 0.6, exponent, size * 0.62, y=y + size * 0.45)


def _grid_page(sample: Sample, rng: random.Random) -> bytes:
    out = io.BytesIO()
    pen = Pen(sample, out)
    draw.lab_block(pen)
    draw.meta_block(pen)
    xs = (MARGIN, MARGIN + 210, MARGIN + 320, MARGIN + 400, pen.width - MARGIN)
    row_h = rng.choice((16.0, 17.0))
    line_w = rng.choice((1.0, 1.4, 1.8))
    band = rng.choice((0.78, 0.82, 0.86))
    size = 9.0

    def row(cells: tuple[str, ...], shade: float | None, bold: bool = False) -> None:
        pen.need(row_h + 4)
        top = pen.y + row_h - 5
        if shade is not None:
            pen.c.setFillGray(shade)
            pen.c.rect(xs[0], top - row_h, xs[-1] - xs[0], row_h, stroke=0, fill=1)
            pen.c.setFillGray(0)
        for x, text in zip(xs, cells, strict=False):
            if bold:
                pen.text(x + 4, text, size, bold=True)
            else:
                _text_with_power(pen, x + 4, pen.y, text, size)
        pen.c.setLineWidth(line_w)
        for x in xs:
            pen.c.line(x, top, x, top - row_h)
        pen.c.line(xs[0], top - row_h, xs[-1], top - row_h)
        pen.c.line(xs[0], top, xs[-1], top)
        pen.down(row_h)

    row(("Analyte", "Result", "Unit", "Status"), 0.68, bold=True)
    for panel in sample.panels:
        row((panel.title,), 0.9, bold=True)
        for n, cell in enumerate(panel.cells):
            cell.page = pen.page
            row((cell.label, cell.text, cell.unit, cell.status), band if n % 2 else None)
    draw.signature(pen)
    pen.finish()
    return out.getvalue()


def gridscan(sample: Sample, rng: random.Random) -> bytes:
    """The ruled, banded page scanned (tilt, speckle, JPEG)."""
    return rasterize(_grid_page(sample, rng), rng)


# --- garbled ------------------------------------------------------------------------


def _cipher(rng: random.Random) -> dict[str, str]:
    """A broken font map: every printable character stands for another one."""
    chars = [chr(c) for c in range(33, 127)]
    shuffled = chars[:]
    rng.shuffle(shuffled)
    return dict(zip(chars, shuffled, strict=True))


def garbled(sample: Sample, rng: random.Random) -> bytes:
    """A clean page as an image, under an invisible text layer of the same words mis-mapped."""
    clean = io.BytesIO()
    draw.ruled(sample, clean)
    cipher = _cipher(rng)
    doc = pdfium.PdfDocument(clean.getvalue())
    out = io.BytesIO()
    canvas: Canvas | None = None
    try:
        with pdfplumber.open(io.BytesIO(clean.getvalue())) as plumber:
            for index in range(len(doc)):
                page = doc[index]
                width, height = page.get_size()
                image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
                page.close()
                if canvas is None:
                    canvas = Canvas(out, pagesize=(width, height), invariant=True)
                canvas.setPageSize((width, height))
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=80)
                buffer.seek(0)
                canvas.drawImage(ImageReader(buffer), 0, 0, width, height)
                _garbage_layer(canvas, plumber.pages[index], height, cipher)
                canvas.showPage()
    finally:
        doc.close()
    assert canvas is not None
    canvas.save()
    return out.getvalue()


def _garbage_layer(
    canvas: Canvas, page: pdfplumber.page.Page, height: float, cipher: dict[str, str]
) -> None:
    """Every word of ``page`` again, invisible (render mode 3), each character through ``cipher``."""
    for word in page.extract_words():
        text = "".join(cipher.get(ch, ch) for ch in word["text"])
        size = max(word["bottom"] - word["top"], 4.0)
        obj = canvas.beginText()
        obj.setTextRenderMode(3)
        obj.setFont("Helvetica", size)
        obj.setTextOrigin(word["x0"], height - word["bottom"] + 0.2 * size)
        obj.textOut(text)
        canvas.drawText(obj)
