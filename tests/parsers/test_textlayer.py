"""The text layer, OCR clean-up, name variants, plausibility and knowing what was missed,
each on a small generated PDF (reportlab) or image."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from parsers import Document, ParsedResult, ocr, parse
from parsers.layout_text import Word
from parsers.pdf import _garbled
from parsers.pdftext import join_spaced
from tests.parsers.conftest import needs_tesseract

HEIGHT = A4[1]
#: Key fields, so that a document goes to review only for what a test is about.
KEYS = [
    (40, 40, "Client: Lotus Leaf Imports LLC"),
    (40, 55, "Product: Red Vein Powder"),
    (40, 70, "Batch: KR-24-0101"),
]


def _by_code(doc: Document) -> dict[str, ParsedResult]:
    return {r.analyte: r for r in doc.results}


def _unread(doc: Document) -> str:
    return next((w for w in doc.warnings if w.startswith("analytes named")), "")


def _canvas_pdf(draw: Callable[[Canvas], None]) -> bytes:
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=True)
    for x, y, text in KEYS:
        c.setFont("Helvetica", 10)
        c.drawString(x, HEIGHT - y, text)
    draw(c)
    c.showPage()
    c.save()
    return out.getvalue()


def _text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    spacing: float = 0.0,
    shear: float = 0.0,
    angle: float = 0.0,
    size: float = 10,
    invisible: bool = False,
) -> None:
    """``text`` with a character spacing, a shear (degrees, fake italic) or a rotation."""
    obj = c.beginText()
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    obj.setTextTransform(cos, sin, -sin + math.tan(math.radians(shear)), cos, x, HEIGHT - y)
    obj.setFont("Helvetica", size)
    obj.setCharSpace(spacing)
    if invisible:
        obj.setTextRenderMode(3)
    obj.textOut(text)
    obj.setCharSpace(0)
    obj.setTextRenderMode(0)
    c.drawText(obj)


# --- 1. garbled text layers ----------------------------------------------------------------


def _words(texts: list[str]) -> list[Word]:
    return [Word(t, 10.0 * i, 0, 10.0 * i + 8, 10, 10) for i, t in enumerate(texts)]


def test_a_readable_text_layer_is_not_garbled() -> None:
    line = "Certificate of Analysis Lead (Pb) 0.12 ppm Arsenic ND Total Yeast and Mold <10 CFU/g Pass".split()
    assert not _garbled(_words(line * 5))


@pytest.mark.parametrize(
    "texts",
    [
        ["\x13", "\x14", "\x08", "\x0e", "!"] * 40,  # unmapped glyph codes (control characters)
        list("!\"#$%&'()*+K J L M N") * 10,  # a soup of one-glyph words
        "%-xlAx ?A9rs N7vs9re fqvsAR7x5 LKq7_AsqvH7KKr7vv fqs _As0L-sn(5 zP&[,&X,.} P7*Axs".split()
        * 8,  # mis-mapped
    ],
)
def test_nonsense_text_layers_are_garbled(texts: list[str]) -> None:
    assert _garbled(_words(texts))


def test_a_page_with_a_nonsense_text_layer_is_read_by_ocr() -> None:
    """The page shows its text as an image; its text layer holds the same words mis-mapped."""
    needs_tesseract()
    visible = _canvas_pdf(
        lambda c: [
            c.drawString(40, HEIGHT - y, t)
            for y, t in (
                (120, "Heavy Metals"),
                (140, "Lead (Pb)          0.52 ppm"),
                (160, "Cadmium (Cd)     0.08 ppm"),
                (180, "Mercury (Hg)      <0.01 ppm"),
            )
        ]
    )
    page = pdfium.PdfDocument(visible)[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    rng = random.Random(3)
    shuffled = [chr(c) for c in range(33, 127)]
    rng.shuffle(shuffled)
    cipher = dict(zip((chr(c) for c in range(33, 127)), shuffled, strict=True))

    def draw(c: Canvas) -> None:
        c.drawImage(ImageReader(image), 0, 0, *A4)
        for y in range(100, 700, 14):
            _text(
                c,
                40,
                y,
                "".join(cipher.get(ch, ch) for ch in "Lead Arsenic Cadmium 0.52 ppm Pass"),
                invisible=True,
            )

    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=True)
    draw(c)
    c.showPage()
    c.save()
    doc = parse(out.getvalue())
    assert doc.ocr
    assert any("text layer is unreadable" in w for w in doc.warnings)
    got = _by_code(doc)
    assert got["lead"].value == pytest.approx(0.52)
    assert (got["mercury"].qualifier, got["mercury"].value) == ("<", 0.01)


# --- 2. letter spacing and fake italics ----------------------------------------------------


def test_letter_spaced_words_are_joined_again() -> None:
    def draw(c: Canvas) -> None:
        _text(c, 40, 120, "HEAVY METALS", spacing=4.0)
        _text(c, 40, 140, "TOTAL LEAD", spacing=5.0)
        _text(c, 300, 140, "0.52", spacing=5.0)
        _text(c, 380, 140, "ppm")
        _text(c, 40, 160, "MOISTURE", spacing=6.0)
        _text(c, 300, 160, "9.812", spacing=6.0)
        _text(c, 380, 160, "%")
        _text(c, 40, 180, "Cd", spacing=5.0)  # two glyphs: joined because the line is letter-spaced
        _text(c, 300, 180, "0.61", spacing=5.0)
        _text(c, 380, 180, "ppm")

    doc = parse(_canvas_pdf(draw))
    got = _by_code(doc)
    assert got["lead"].value == pytest.approx(0.52)
    assert got["cadmium"].value == pytest.approx(0.61)
    assert (got["moisture"].value, got["moisture"].unit) == (pytest.approx(9.812), "%")


def test_join_spaced_keeps_plain_words_and_column_gaps() -> None:
    def word(text: str, x0: float) -> Word:
        return Word(text, x0, 0, x0 + 5, 10, 10)

    spaced = [word(ch, 10 + 11 * i) for i, ch in enumerate("LEAD")]
    assert [w.text for w in join_spaced(spaced)] == ["LEAD"]
    digits = [word("1", 10), word("2", 60), word("3", 110)]  # a column of single digits, far apart
    assert [w.text for w in join_spaced(digits)] == ["1", "2", "3"]
    plain = [word("x", 10), word("10", 17)]
    assert [w.text for w in join_spaced(plain)] == ["x", "10"]


def test_sheared_fake_italic_text_is_kept_and_rotated_text_is_not() -> None:
    def draw(c: Canvas) -> None:
        _text(c, 40, 140, "Lead (Pb)", shear=14)
        _text(c, 300, 140, "0.52 ppm", shear=14)
        _text(c, 40, 300, "Cadmium 0.40 ppm", angle=90)  # a chart label, not a row

    got = _by_code(parse(_canvas_pdf(draw)))
    assert got["lead"].value == pytest.approx(0.52)
    assert "cadmium" not in got


# --- 3. name variants ----------------------------------------------------------------------


def test_name_variants(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "7-OH-Mitragynine"),
            (300, 120, "0.021 %"),
            (40, 135, "E.coli/Coliforms"),
            (300, 135, "<10 CFU/g"),
            (40, 150, "E. coli (STEC)"),
            (300, 150, "Negative"),
            (40, 165, "aw"),
            (300, 165, "0.55"),
            (40, 180, "TotalAerobicCount"),
            (300, 180, "1200 CFU/g"),
            (40, 210, "Total CBD per gummy: 25.23 MG"),
            (40, 225, "Serving: 2 capsules (500 mg/unit)"),
        ]
    )
    got = _by_code(parse(pdf))
    assert got["7_hydroxymitragynine"].value == pytest.approx(0.021)
    assert (got["e_coli"].qualifier, got["e_coli"].value) == ("<", 10.0)
    assert got["stec"].qualifier == "not_detected"
    assert got["water_activity"].value == pytest.approx(0.55)
    assert got["total_aerobic_count"].value == 1200.0
    assert "mitragynine" not in got  # ``MG`` after a number is milligrams


def test_a_lower_case_symbol_in_a_legend_is_no_result(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [*KEYS, (40, 120, "(aw) (LOD) = Limit of Detection"), (40, 135, "Lead 0.20 ppm")]
    )
    assert set(_by_code(parse(pdf))) == {"lead"}


# --- 4. OCR clean-up -----------------------------------------------------------------------


def test_rules_and_bands_are_removed_but_text_is_kept() -> None:
    image = Image.new("L", (1200, 400), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 100, 1199, 160), fill=200)  # a shaded band
    draw.rectangle((0, 98, 1199, 102), fill=0)  # a 5 px rule
    draw.rectangle((600, 0, 604, 399), fill=0)  # a vertical rule
    draw.rectangle((100, 120, 104, 145), fill=0)  # a letter stem (25 px): not a rule
    clean = ocr.clean_image(image, 200)
    assert clean.getpixel((300, 100)) > 200 and clean.getpixel((602, 300)) > 200
    assert clean.getpixel((300, 130)) > 240  # the band is paper now
    assert clean.getpixel((102, 130)) < 60  # the stem stays ink


def test_a_hairline_is_left_alone() -> None:
    image = Image.new("L", (1200, 200), 255)
    ImageDraw.Draw(image).line((0, 100, 1199, 100), fill=0, width=1)
    assert ocr.clean_image(image, 200).getpixel((300, 100)) < 60


def test_decimal_comma_or_point_read_as_a_slash() -> None:
    def texts(words: list[str]) -> list[str]:
        return [
            w.text
            for w in ocr.repair_words(
                [Word(t, i * 50.0, 0, i * 50.0 + 30, 10, 10) for i, t in enumerate(words)]
            )
        ]

    assert texts(["0,25", "1,5", "0/45", "CFU,g"]) == ["0,25", "1,5", "0,45", "CFU/g"]
    assert texts(["0.25", "1.5", "0/45", "1/25"]) == ["0.25", "1.5", "0.45", "1/25"]


def _grid_scan() -> bytes:
    """A scanned, ruled, banded table with decimal commas and raised exponents."""

    def draw(c: Canvas) -> None:
        rows = [
            ("Analyte", "Result", "Unit"),
            ("Lead", "0,53", "µg/g"),
            ("Cadmium", "0,060", "µg/g"),
            ("Total Aerobic Count", "1,4 x 10^5", "CFU/g"),
            ("Total Coliforms", "5,6 x 10^3", "CFU/g"),
        ]
        xs = (40, 250, 370, 470)
        top = HEIGHT - 120
        for n, row in enumerate(rows):
            y = top - 18 * n
            if n % 2:
                c.setFillGray(0.8)
                c.rect(40, y - 18, 430, 18, stroke=0, fill=1)
                c.setFillGray(0)
            c.setLineWidth(1.5)
            c.line(40, y, 470, y)
            for x in xs:
                c.line(x, y, x, y - 18)
            for x, text in zip(xs, row, strict=False):
                c.setFont("Helvetica", 10)
                base, _, exp = text.partition("^")
                c.drawString(x + 4, y - 13, base)
                if exp:
                    c.setFont("Helvetica", 6.5)
                    c.drawString(x + 4 + c.stringWidth(base, "Helvetica", 10) + 0.6, y - 8.5, exp)
        c.line(40, top - 18 * len(rows), 470, top - 18 * len(rows))

    page = pdfium.PdfDocument(_canvas_pdf(draw))[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=True)
    c.drawImage(ImageReader(image), 0, 0, *A4)
    c.showPage()
    c.save()
    return out.getvalue()


def test_a_ruled_banded_scan_is_read() -> None:
    needs_tesseract()
    doc = parse(_grid_scan())
    assert doc.ocr
    got = _by_code(doc)
    assert got["lead"].value == pytest.approx(0.53)
    assert got["cadmium"].value == pytest.approx(0.06)
    counts = {
        code: got[code].value for code in ("total_aerobic_count", "total_coliforms") if code in got
    }
    assert counts.get("total_aerobic_count") in (
        None,
        1.4e5,
    )  # the exponent is kept or the row is not read
    assert counts.get("total_coliforms") in (None, 5.6e3)
    missing = {"total_aerobic_count", "total_coliforms"} - set(counts)
    assert all(code in _unread(doc) for code in missing)  # ...and then it is flagged


# --- plausibility --------------------------------------------------------------------------


def test_implausible_readings_are_rejected_with_a_warning(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Alkaloids"),
            (40, 135, "Mitragynine"),
            (300, 135, "250 %"),
            (40, 150, "Paynantheine"),
            (300, 150, "006 %"),
            (40, 165, "Speciogynine"),
            (300, 165, "0.21 %"),
        ]
    )
    doc = parse(pdf)
    got = _by_code(doc)
    assert set(got) == {"speciogynine"}
    assert any(
        "Mitragynine" in w and "250" in w for w in doc.warnings
    )  # more than the whole sample
    assert any(w.startswith("paynantheine rejected") for w in doc.warnings)
    assert doc.needs_review


# --- 5. knowing what it missed -------------------------------------------------------------


def test_an_unread_result_row_is_flagged(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Analyte"),
            (250, 120, "Result"),
            (350, 120, "Unit"),
            (40, 135, "Lead"),
            (250, 135, "0.12"),
            (350, 135, "ppm"),
            (40, 150, "Arsenic"),
            (250, 150, "1,4.x-10°"),
            (350, 150, "ppm"),
        ]
    )
    doc = parse(pdf)
    assert "lead" in _by_code(doc) and "arsenic" not in _by_code(doc)
    assert "arsenic" in _unread(doc)
    assert doc.needs_review


def test_a_horizontal_header_over_unread_values_is_flagged(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Lead 0.10 ppm"),
            (40, 150, "TAMC"),
            (150, 150, "Salmonella"),
            (40, 165, "2,4.10^4^"),
            (150, 165, "n/a?"),
            (250, 165, "7"),
        ]
    )
    doc = parse(pdf)
    unread = _unread(doc)
    for code in {"total_aerobic_count", "salmonella"} - set(_by_code(doc)):
        assert code in unread
    assert doc.needs_review == bool(unread)


def test_names_in_prose_legends_lists_and_tiles_are_not_flagged(
    make_pdf: Callable[..., Path],
) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Lead (Pb)"),
            (250, 120, "0.12 ppm"),
            (
                40,
                140,
                "Samples are tested for arsenic, cadmium and mercury by ICP-MS according to USP 233.",
            ),
            (40, 155, "Methods: Mercury EPA 7473, Cadmium AOAC 2013.06"),
            (40, 170, "Limits: Arsenic 1.5 ppm, Cadmium 0.5 ppm"),
            (40, 185, "(aw) = Water Activity"),
            (40, 200, "Moisture"),
            (250, 200, "PASS"),
            (40, 215, "Yeast and Mold"),
            (250, 215, "NOT TESTED"),
            (40, 230, "Terpenes"),
            (40, 245, "Mold"),
            (250, 245, "ND"),
        ]
    )
    doc = parse(pdf)
    assert set(_by_code(doc)) == {"lead"}
    assert _unread(doc) == ""
    assert not doc.needs_review


def test_a_number_read_where_the_row_prints_a_non_detect_is_doubted(
    make_pdf: Callable[..., Path],
) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Arsenic"),
            (200, 120, "200"),
            (260, 120, "ND"),
            (320, 120, "Pass"),
            (40, 135, "Lead"),
            (200, 135, "0.12"),
            (260, 135, "ppm"),
        ]
    )
    doc = parse(pdf)
    arsenic = _by_code(doc)["arsenic"]
    doubted = any(
        w.startswith("analytes read as a number") and "arsenic" in w for w in doc.warnings
    )
    assert arsenic.qualifier == "nd" or doubted and doc.needs_review  # read right, or flagged
    assert not any("lead" in w for w in doc.warnings if w.startswith("analytes"))


def test_a_verdict_on_an_absence_test_is_a_presence_result(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Test"),
            (200, 120, "Specification"),
            (400, 120, "Result"),
            (40, 135, "Salmonella"),
            (200, 135, "Absence in 25 g"),
            (400, 135, "Pass"),
            (40, 150, "E. coli"),
            (200, 150, "Absence in 10 g"),
            (400, 150, "Fail"),
        ]
    )
    got = _by_code(parse(pdf))
    assert (got["salmonella"].qualifier, got["salmonella"].lab_status) == ("not_detected", "pass")
    assert (got["e_coli"].qualifier, got["e_coli"].lab_status) == ("detected", "fail")


def test_loq_words_and_name_lists_raise_no_doubt(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            *KEYS,
            (40, 120, "Lead: 0.12 ppm (LOQ 0.05) - Pass"),
            (40, 135, "Cadmium (Cd)"),
            (200, 135, "0.0033"),
            (260, 135, "0.62 ug/g"),
            (360, 135, "LOD"),
            (400, 135, "LOQ"),
            (40, 150, "Aflatoxins (sum B1, B2, G1, G2)"),
            (300, 150, "NT"),
        ]
    )
    doc = parse(pdf)
    assert not [w for w in doc.warnings if w.startswith("analytes")]
    assert not doc.needs_review
