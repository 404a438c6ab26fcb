"""Drawing certificates with reportlab: a small pen plus one function per layout family.

Each family draws a :class:`~tests.synthetic.model.Sample` the way a kind of real lab
does (ruled grid, whitespace columns, transposed panels, narrative lines, multi-page
sections with the unit in the heading, European protocol, multi-unit alkaloid table,
QC and NOT TESTED panels) and notes the page of every result in ``cell.page``.
Canvases are built with ``invariant=True`` so a seed always gives the same bytes.

Fonts: DejaVu Sans when the system has it (it covers Czech ``ť ě ř ů``), else
reportlab's bundled Vera; :func:`printable` swaps the few characters Vera lacks, so a
machine without DejaVu still prints (and the truth's ``raw`` still matches) the text.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from functools import lru_cache

import reportlab
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from tests.synthetic.model import Panel, Sample
from tests.synthetic.values import Cell

FONT, BOLD = "SynthSans", "SynthSans-Bold"
_DEJAVU = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
_VERA_SWAPS = str.maketrans({"ť": "t", "ě": "e", "ř": "r", "ů": "u", "Ř": "R", "Ě": "E"})
MARGIN, BOTTOM = 40.0, 60.0
TITLES = {"en": "CERTIFICATE OF ANALYSIS", "cz": "PROTOKOL O ZKOUŠKÁCH", "de": "PRÜFBERICHT"}


@lru_cache(maxsize=1)
def fonts() -> bool:
    """Register the body fonts; True when DejaVu (full Czech coverage) was found."""
    regular = next((p for p in _DEJAVU if os.path.exists(p)), None)
    if regular and os.path.exists(regular.replace(".ttf", "-Bold.ttf")):
        pdfmetrics.registerFont(TTFont(FONT, regular))
        pdfmetrics.registerFont(TTFont(BOLD, regular.replace(".ttf", "-Bold.ttf")))
        return True
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(folder, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "VeraBd.ttf")))
    return False


def printable(text: str) -> str:
    """``text`` as the registered font can print it."""
    return text if fonts() else text.translate(_VERA_SWAPS)


class Pen:
    """A cursor on a canvas: writes lines top-down, breaks pages, repeats header and footer."""

    def __init__(
        self,
        sample: Sample,
        out: io.BytesIO,
        header: Callable[[Pen], None] | None = None,
        footer: Callable[[Pen], None] | None = None,
        size: tuple[float, float] | None = None,
        font: tuple[str, str] = (FONT, BOLD),
    ) -> None:
        fonts()
        self.sample = sample
        self.size = size or (A4 if sample.language != "en" else LETTER)
        self.font, self.bold_font = font
        self.c = Canvas(out, pagesize=self.size, invariant=True, pageCompression=1)
        self.c.setTitle(f"{sample.lab[0]} - {sample.report_number}")
        self.width, self.height = self.size
        self.header, self.footer = header, footer
        self.page = 1
        self.y = self.height - MARGIN
        if header:
            header(self)

    def text(
        self,
        x: float,
        s: str,
        size: float = 9,
        bold: bool = False,
        align: str = "left",
        y: float | None = None,
    ) -> None:
        self.c.setFont(self.bold_font if bold else self.font, size)
        y = self.y if y is None else y
        s = printable(s) if self.font == FONT else s
        if align == "right":
            self.c.drawRightString(x, y, s)
        elif align == "center":
            self.c.drawCentredString(x, y, s)
        else:
            self.c.drawString(x, y, s)

    def down(self, dy: float = 13) -> None:
        self.y -= dy

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit."""
        if self.y - height < BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        if self.footer:
            self.footer(self)
        self.c.showPage()
        self.page += 1
        self.y = self.height - MARGIN
        if self.header:
            self.header(self)

    def rule(self, x0: float | None = None, x1: float | None = None, dy: float = -3.5) -> None:
        self.c.setLineWidth(0.5)
        self.c.line(
            x0 if x0 is not None else MARGIN,
            self.y + dy,
            x1 if x1 is not None else self.width - MARGIN,
            self.y + dy,
        )

    def finish(self) -> None:
        if self.footer:
            self.footer(self)
        self.c.showPage()
        self.c.save()


# --- shared pieces -----------------------------------------------------------------


def lab_block(pen: Pen, title: str | None = None) -> None:
    """Lab name, accreditation and the document title."""
    s = pen.sample
    pen.text(MARGIN, s.lab[0], 14, bold=True)
    pen.down(14)
    address = {
        "en": "1200 Industrial Way, Suite 4, Portland, OR 97201",
        "cz": "Technická 5, 166 28 Praha 6",
        "de": "Laborstraße 12, 20095 Hamburg",
    }[s.language]
    pen.text(MARGIN, address, 8)
    if s.lab[1]:
        pen.text(
            pen.width - MARGIN,
            f"Accredited: {s.lab[1]}" if s.language == "en" else s.lab[1],
            8,
            align="right",
        )
    pen.down(22)
    pen.text(pen.width / 2, title or TITLES[s.language], 13, bold=True, align="center")
    pen.down(22)


def meta_pairs(sample: Sample) -> list[tuple[str, str]]:
    s, lab = sample, sample.labels
    pairs = [(lab["vendor"], s.vendor), (lab["product"], s.product), (lab["batch"], s.batch)]
    if s.sample_id:
        pairs.append((lab["sample_id"], s.sample_id))
    pairs += [
        (lab["report_number"], s.report_number),
        (lab["received"], s.date_text("received")),
        (lab["tested"], s.date_text("tested")),
        (lab["reported"], s.date_text("reported")),
    ]
    return pairs


def meta_block(pen: Pen, columns: int = 2) -> None:
    """Label/value pairs in one or two columns."""
    pairs = meta_pairs(pen.sample)
    col_width = (pen.width - 2 * MARGIN) / columns
    offset = max(
        115.0, 10 + max(pdfmetrics.stringWidth(printable(label), BOLD, 9) for label, _ in pairs)
    )
    for i in range(0, len(pairs), columns):
        for j, (label, value) in enumerate(pairs[i : i + columns]):
            x = MARGIN + j * col_width
            pen.text(x, label, 9, bold=True)
            pen.text(x + offset, value, 9)
        pen.down(13)
    pen.down(10)


def result_text(cell: Cell, with_unit: bool) -> str:
    return f"{cell.text} {cell.unit}" if with_unit and cell.unit else cell.text


def signature(pen: Pen) -> None:
    pen.need(50)
    pen.down(18)
    words = {
        "en": "Approved by: J. Alvarez, Laboratory Director",
        "cz": "Schválil: Ing. J. Novák, vedoucí laboratoře",
        "de": "Freigegeben: Dr. K. Becker, Laborleitung",
    }
    pen.text(MARGIN, words[pen.sample.language], 9)
    pen.down(13)


# --- families ----------------------------------------------------------------------


def ruled(sample: Sample, out: io.BytesIO) -> None:
    """(1) A ruled grid: Analyte | Result | Unit | LOQ | Status."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen)
    grid_table(pen, sample.panels, ("Analyte", "Result", "Unit", "LOQ", "Status"))
    signature(pen)
    pen.finish()


def grid_table(pen: Pen, panels: list[Panel], heads: tuple[str, ...]) -> None:
    xs = (MARGIN, MARGIN + 200, MARGIN + 300, MARGIN + 380, MARGIN + 450, pen.width - MARGIN)
    row_h = 15.0

    def row(cells: tuple[str, ...], bold: bool = False) -> None:
        pen.need(row_h)
        top = pen.y + row_h - 4
        for x, text in zip(xs, cells, strict=False):
            pen.text(x + 4, text, 8.5, bold=bold)
        pen.c.setLineWidth(0.5)
        for x in xs:
            pen.c.line(x, top, x, top - row_h)
        pen.c.line(xs[0], top - row_h, xs[-1], top - row_h)
        pen.c.line(xs[0], top, xs[-1], top)
        pen.down(row_h)

    row(heads, bold=True)
    for panel in panels:
        pen.need(2 * row_h)
        row((panel.title,), bold=True)
        for cell in panel.cells:
            pen.need(row_h)
            cell.page = pen.page
            row((cell.label, cell.text, cell.unit, cell.loq_text, cell.status))
    pen.down(8)


def whitespace(sample: Sample, out: io.BytesIO) -> None:
    """(2) Borderless columns aligned by whitespace, numbers right-aligned, LOQ before the result."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen, columns=1)
    spaced_table(pen, sample.panels)
    signature(pen)
    pen.finish()


def spaced_table(pen: Pen, panels: list[Panel]) -> None:
    cols = (
        ("Test", MARGIN, "left"),
        ("LOQ", MARGIN + 250, "right"),
        ("Result", MARGIN + 330, "right"),
        ("Units", MARGIN + 345, "left"),
        ("Status", MARGIN + 450, "left"),
    )
    for name, x, align in cols:
        pen.text(x, name, 9, bold=True, align=align)
    pen.down(16)
    for panel in panels:
        pen.need(30)
        pen.text(MARGIN, panel.title.upper(), 9, bold=True)
        pen.down(13)
        for cell in panel.cells:
            pen.need(12)
            cell.page = pen.page
            values = (cell.label, cell.loq_text, cell.text, cell.unit, cell.status)
            for (_name, x, align), text in zip(cols, values, strict=True):
                pen.text(x, text, 8.5, align=align)
            pen.down(12)
        pen.down(6)


def transposed(sample: Sample, out: io.BytesIO) -> None:
    """(3) One small table per panel: analytes as column headers, one row of values."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen)
    for panel in sample.panels:
        transposed_panel(pen, panel)
    signature(pen)
    pen.finish()


def transposed_panel(pen: Pen, panel: Panel) -> None:
    per_row = 5
    for start in range(0, len(panel.cells), per_row):
        chunk = panel.cells[start : start + per_row]
        pen.need(80)
        pen.text(MARGIN, panel.title if start == 0 else f"{panel.title} (cont.)", 10, bold=True)
        pen.down(15)
        width = (pen.width - 2 * MARGIN - 60) / per_row
        x0 = MARGIN + 60
        rows = (
            ("", [c.label for c in chunk], True),
            ("Result", [c.text for c in chunk], False),
            ("Unit", [c.unit or "-" for c in chunk], False),
            ("LOQ", [c.loq_text or "-" for c in chunk], False),
            ("Status", [c.status or "-" for c in chunk], False),
        )
        for name, texts, bold in rows:
            pen.text(MARGIN, name, 8, bold=True)
            for i, text in enumerate(texts):
                pen.text(x0 + i * width + width / 2, text, 7.5, bold=bold, align="center")
            pen.rule()
            pen.down(13)
        for cell in chunk:
            cell.page = pen.page
        pen.down(10)


def narrative(sample: Sample, out: io.BytesIO) -> None:
    """(4) Results as sentences: ``Lead (Pb): 0.23 µg/g (LOQ 0.05) - Pass``."""
    pen = Pen(sample, out)
    lab_block(pen, "Laboratory Test Report")
    meta_block(pen, columns=1)
    s = sample
    pen.text(
        MARGIN,
        f"The sample described above was analysed by {s.lab[0]}. Results relate only to the",
        9,
    )
    pen.down(12)
    pen.text(MARGIN, "item tested. Limits of quantitation (LOQ) are given in parentheses.", 9)
    pen.down(20)
    for panel in s.panels:
        pen.need(30)
        pen.text(MARGIN, f"{panel.title}:", 10, bold=True)
        pen.down(14)
        for cell in panel.cells:
            pen.need(13)
            cell.page = pen.page
            line = f"{cell.label}: {result_text(cell, True)}"
            if cell.loq_text:
                line += f" (LOQ {cell.loq_text})"
            if cell.status:
                line += f" - {cell.status}"
            pen.text(MARGIN + 12, line, 9.5)
            pen.down(13)
        pen.down(8)
    signature(pen)
    pen.finish()


def multipage(sample: Sample, out: io.BytesIO) -> None:
    """(5) Several pages, repeated header and footer, the unit in each section heading."""
    s = sample
    groups = [s.panels[i : i + 2] for i in range(0, len(s.panels), 2)]
    total = len(groups)

    def header(pen: Pen) -> None:
        pen.text(MARGIN, s.lab[0], 10, bold=True)
        pen.text(
            pen.width - MARGIN, f"{s.labels['report_number']} {s.report_number}", 8, align="right"
        )
        pen.down(11)
        pen.text(MARGIN, f"{s.labels['vendor']} {s.vendor}", 8)
        pen.text(pen.width - MARGIN, f"Page {pen.page} of {total}", 8, align="right")
        pen.rule()
        pen.down(24)

    def footer(pen: Pen) -> None:
        pen.c.setFont(FONT, 7)
        pen.c.drawString(
            MARGIN,
            30,
            "This report shall not be reproduced except in full without written approval.",
        )
        pen.c.drawRightString(pen.width - MARGIN, 30, f"Page {pen.page} of {total}")

    pen = Pen(s, out, header, footer)
    pen.text(pen.width / 2, TITLES["en"], 13, bold=True, align="center")
    pen.down(22)
    meta_block(pen)
    for number, group in enumerate(groups):
        if number:
            pen.new_page()
        for panel in group:
            section(pen, panel)
    signature(pen)
    pen.finish()


def section(pen: Pen, panel: Panel) -> None:
    heading = f"{panel.title} ({panel.unit})" if panel.unit else panel.title
    pen.text(MARGIN, heading, 11, bold=True)
    pen.down(16)
    xs = (MARGIN, MARGIN + 230, MARGIN + 320, MARGIN + 400)
    for x, head in zip(xs, ("Analyte", "Result", "LOQ", "Status"), strict=True):
        pen.text(x, head, 8.5, bold=True)
    pen.rule()
    pen.down(13)
    for cell in panel.cells:
        cell.page = pen.page
        shown = cell.text if panel.unit and cell.unit == panel.unit else result_text(cell, True)
        for x, text in zip(xs, (cell.label, shown, cell.loq_text, cell.status), strict=True):
            pen.text(x, text, 8.5)
        pen.down(12)
    pen.down(14)


def european(sample: Sample, out: io.BytesIO) -> None:
    """(6) A Czech or German protocol: decimal comma, dd.mm.yyyy, local labels and units."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen, columns=1)
    heads = {
        "cz": ("Ukazatel", "Výsledek", "Jednotka", "LOQ", "Hodnocení"),
        "de": ("Parameter", "Ergebnis", "Einheit", "BG", "Bewertung"),
    }[sample.language]
    grid_table(pen, sample.panels, heads)
    signature(pen)
    pen.finish()


def multiunit(sample: Sample, out: io.BytesIO) -> None:
    """(8) Alkaloids in %, mg/g and mg/serving columns (reported once, in %), then a ruled grid."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen)
    alkaloids = next(p for p in sample.panels if p.category == "alkaloid")
    pen.text(MARGIN, f"Alkaloid Profile (HPLC-UV)    Serving size: {sample.serving}", 10, bold=True)
    pen.down(16)
    xs = (MARGIN, MARGIN + 200, MARGIN + 270, MARGIN + 340, MARGIN + 420)
    for x, head in zip(xs, ("Analyte", "LOQ (%)", "%", "mg/g", "mg/serving"), strict=True):
        pen.text(x, head, 8.5, bold=True)
    pen.rule()
    pen.down(13)
    for cell in alkaloids.cells:
        cell.page = pen.page
        values = (cell.label, cell.loq_text, cell.text, *cell.extra_columns)
        if cell.unit == "mg/serving":  # printed only per serving
            values = (cell.label, "", "", "", cell.text)
        for x, text in zip(xs, values, strict=False):
            pen.text(x, text, 8.5)
        pen.down(12)
    pen.down(12)
    grid_table(
        pen,
        [p for p in sample.panels if p.category != "alkaloid"],
        ("Analyte", "Result", "Unit", "LOQ", "Status"),
    )
    signature(pen)
    pen.finish()


def qc(sample: Sample, out: io.BytesIO) -> None:
    """(9) Results, a QC/recovery table that is not a result, and a NOT TESTED panel."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen)
    tested = [p for p in sample.panels if not p.not_tested]
    grid_table(pen, tested, ("Analyte", "Result", "Unit", "LOQ", "Status"))
    for panel in sample.panels:
        if panel.not_tested:
            pen.need(20 + 12 * len(panel.cells))
            pen.text(MARGIN, f"{panel.title}: NOT TESTED", 10, bold=True)
            pen.down(14)
            for cell in panel.cells:
                pen.text(MARGIN + 12, cell.label, 8.5)
                pen.text(MARGIN + 230, "NT", 8.5)
                pen.down(12)
            pen.down(10)
    pen.need(30 + 12 * len(sample.qc_rows))
    pen.text(MARGIN, "Quality Control (batch QC, not sample results)", 10, bold=True)
    pen.down(14)
    for label, value, unit in sample.qc_rows:
        pen.text(MARGIN + 12, label, 8.5)
        pen.text(MARGIN + 300, value, 8.5, align="right")
        pen.text(MARGIN + 310, unit, 8.5)
        pen.down(12)
    signature(pen)
    pen.finish()


def sidebyside(sample: Sample, out: io.BytesIO) -> None:
    """(10) Two panels side by side whose rows interleave on shared lines; column titles are
    centred over their values while row labels are left-aligned (left of the ``Analyte``
    title), and a second header line carries the panel's unit."""
    pen = Pen(sample, out)
    lab_block(pen)
    meta_block(pen)
    panels = sample.panels
    for k in range(0, len(panels), 2):
        pair = panels[k : k + 2]
        rows = max(len(p.cells) for p in pair)
        pen.need(46 + 11 * rows)
        top = pen.y
        for n, panel in enumerate(pair):
            pen.y = top
            side_panel(pen, panel, MARGIN + 275 * n)
        pen.y = top - 46 - 11 * rows - 14
    signature(pen)
    pen.finish()


def side_panel(pen: Pen, panel: Panel, x0: float) -> None:
    units = {c.unit for c in panel.cells if c.unit}
    shared = units.pop() if len(units) == 1 and all(c.unit for c in panel.cells) else None
    pen.text(x0, panel.title.upper(), 9, bold=True)
    pen.down(14)
    cols = ((x0 + 50, "Analyte"), (x0 + 150, "LOQ"), (x0 + 197, "Result"), (x0 + 240, "Status"))
    for x, head in cols:
        pen.text(x, head, 8, bold=True, align="center")
    pen.down(9)
    if shared:
        for x, _head in cols[1:3]:
            pen.text(x, f"({shared})", 7, align="center")
    pen.down(12)
    for cell in panel.cells:
        cell.page = pen.page
        pen.text(x0, cell.label, 7)
        shown = cell.text if shared else result_text(cell, True)
        for (x, _head), text in zip(cols[1:], (cell.loq_text, shown, cell.status), strict=True):
            pen.text(x, text, 7, align="center")
        pen.down(11)
