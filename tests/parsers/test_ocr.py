"""OCR of scanned pages: resolution choice, Tesseract's TSV, recall and review warnings."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from parsers import ocr, parse
from tests.parsers.conftest import needs_tesseract
from tests.synthetic import FAMILIES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from scoring import Score, score_document  # noqa: E402

pytestmark = pytest.mark.ocr


def _scans(count: int) -> list[tuple[dict[str, object], bytes]]:
    """(truth record, PDF bytes) of the generated scanned family, seed 0."""
    family = next(f for f in FAMILIES if f.name == "scanned")
    out = []
    for n in range(count):
        rng = random.Random(f"0:{family.name}:{n}")
        sample = family.build(rng)
        out.append((sample.truth(f"scanned-{n + 1:02d}.pdf"), family.render(sample, rng)))
    return out


def _image_pdf(image: Image.Image, dpi: float) -> bytes:
    """A one-page image-only PDF showing ``image`` at ``dpi``."""
    out = io.BytesIO()
    size = (image.width * 72 / dpi, image.height * 72 / dpi)
    canvas = Canvas(out, pagesize=size, invariant=True)
    canvas.drawImage(ImageReader(image), 0, 0, *size)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("dpi", "expected"), [(200, 200.0), (150, 150.0), (300, 200.0), (600, 200.0), (100, 200.0)]
)
def test_pages_render_at_their_scan_resolution(dpi: int, expected: float) -> None:
    data = _image_pdf(Image.new("L", (int(8.5 * dpi), int(11 * dpi)), 255), dpi)
    page = pdfium.PdfDocument(data)[0]
    assert ocr.image_dpi(page) == pytest.approx(dpi, rel=0.01)
    assert ocr.render_dpi(page) == expected


def test_page_without_an_image_renders_at_the_default(make_pdf: object) -> None:
    from reportlab.lib.pagesizes import A4

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.rect(50, 50, 200, 100, fill=1)
    canvas.showPage()
    canvas.save()
    page = pdfium.PdfDocument(out.getvalue())[0]
    assert ocr.image_dpi(page) is None
    assert ocr.render_dpi(page) == ocr.DPI


def test_tsv_rows_become_words_with_confidence() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t1700\t2200\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t100\t200\t80\t20\t96.5\tLead\n"
        "5\t1\t1\t1\t1\t2\t200\t201\t40\t20\t88\t0.12\n"
        "5\t1\t1\t1\t1\t3\t260\t201\t40\t20\t91\t \n"
    )
    assert ocr.read_tsv(tsv) == [
        ("Lead", 96.5, (100, 200, 80, 20)),
        ("0.12", 88.0, (200, 201, 40, 20)),
    ]
    assert ocr.read_tsv("") == []


def test_words_are_placed_in_points() -> None:
    needs_tesseract()
    image = Image.new("L", (1700, 500), 255)
    draw = ImageDraw.Draw(image)
    from PIL import ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 48)
    except OSError:
        pytest.skip("DejaVu Sans not installed")
    draw.text((200, 200), "Mitragynine 1.42 %", fill=0, font=font)
    page = pdfium.PdfDocument(_image_pdf(image, 200))[0]
    words, confidence = ocr.page_words(page)
    first = next(w for w in words if w.text.startswith("Mitrag"))
    assert first.x0 == pytest.approx(200 * 72 / 200, abs=3)
    assert first.top == pytest.approx(200 * 72 / 200, abs=8)
    assert confidence is not None and confidence > 70


def test_generated_scans_keep_their_recall() -> None:
    needs_tesseract()
    total = Score()
    for record, data in _scans(3):
        doc = parse(data)
        assert doc.ocr
        total.add(score_document(record, doc.to_dict()))
    assert total.recall >= 0.95, total.misses
    assert total.precision >= 0.97, total.extras


def test_low_confidence_sets_a_warning_and_review(monkeypatch: pytest.MonkeyPatch) -> None:
    needs_tesseract()
    _record, data = _scans(1)[0]
    monkeypatch.setattr(ocr, "LOW_CONFIDENCE", 101.0)
    doc = parse(data)
    assert any("low OCR confidence" in w for w in doc.warnings)
    assert doc.needs_review


def test_scan_without_key_fields_needs_review() -> None:
    needs_tesseract()
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    from PIL import ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        pytest.skip("DejaVu Sans not installed")
    draw.text((150, 300), "Lead (Pb) 0.12 ppm", fill=0, font=font)
    draw.text((150, 400), "Arsenic (As) 0.30 ppm", fill=0, font=font)
    doc = parse(_image_pdf(image, 200))
    assert doc.ocr
    assert any(w.startswith("missing key fields") for w in doc.warnings)
    assert doc.needs_review


def test_blank_page_is_not_sent_to_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.lib.pagesizes import A4

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawString(50, 800, "Client: Acme Botanicals LLC   Batch: RB-2024-0117")
    canvas.drawString(50, 780, "Lead 0.12 ppm")
    canvas.showPage()
    canvas.rect(0, 0, 10, 10)  # a blank page with one ruled box
    canvas.showPage()
    canvas.save()

    def no_ocr(page: object) -> tuple[list[object], float]:
        raise AssertionError("OCR called for a blank page")

    monkeypatch.setattr(ocr, "page_words", no_ocr)
    doc = parse(out.getvalue())
    assert doc.pages == 2 and not doc.ocr
    assert doc.batch == "RB-2024-0117"


def test_finer_scans_are_read_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 300 dpi scan is read at 200 dpi, where Tesseract does best on COA-sized text."""
    needs_tesseract()
    import tests.synthetic.scan as scan

    monkeypatch.setattr(scan, "DPI", 300)
    total = Score()
    for record, data in _scans(2):
        assert ocr.render_dpi(pdfium.PdfDocument(data)[0]) == ocr.MAX_DPI
        total.add(score_document(record, parse(data).to_dict()))
    assert total.recall >= 0.85, total.misses


def test_a_hung_tesseract_is_a_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from parsers import TimeLimitExceeded

    def hang(*args: object, **kwargs: object) -> object:
        raise subprocess.TimeoutExpired("tesseract", ocr.TIMEOUT)

    monkeypatch.setattr(subprocess, "run", hang)
    with pytest.raises(TimeLimitExceeded, match="OCR of one page"):
        ocr.tesseract_tsv(Image.new("L", (10, 10), 255))


def test_a_failing_tesseract_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def fail(*args: object, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(args, 1, b"", b"Thread creation failed\n")

    monkeypatch.setattr(subprocess, "run", fail)
    with pytest.raises(RuntimeError, match="Thread creation failed"):
        ocr.tesseract_tsv(Image.new("L", (10, 10), 255))


@pytest.mark.parametrize(
    ("text", "after_x", "expected"),
    [
        ("1:98", False, "1.98"),
        ("0:0005", False, "0.0005"),
        ("4:8E+03", False, "4.8E+03"),
        ("<0:05", False, "<0.05"),
        ("09:15", False, "09:15"),
        ("14:05", False, "14:05"),  # times of day stay
        ("160.", False, "160"),
        ("0.1.", False, "0.1"),
        ("10_", False, "10"),
        ("10%5", True, "10^5"),
        ("10*4", True, "10^4"),
        ("1.6x10%5", False, "1.6x10^5"),
        ("10%5", False, "10%5"),
        ("1075", True, "10^5"),
        ("1075", False, "1075"),
        ("1012", True, "1012"),
        ("107", True, "107"),
        ("Hig/kg", False, "µg/kg"),
        ("pg/kg", False, "µg/kg"),
        ("jig/g", False, "µg/g"),
        ("g/g", False, "µg/g"),
        ("mg/kg", False, "mg/kg"),
        ("ng/g", False, "ng/g"),
        ("Hg", False, "Hg"),
        ("1,200", False, "1,200"),
        ("x:", False, "x"),
        ("x:1074", False, "x10^4"),
        ("2.1.x", False, "2.1x"),
        ("[1.98", False, "1.98"),
        ("|<0.1", False, "<0.1"),
        ("(0.05)", False, "(0.05)"),
        ("CFUig", False, "CFU/g"),
        ("cfulg", False, "cfu/g"),
        ("2.6£+04", False, "2.6E+04"),
        ("3.8E405", False, "3.8E+05"),
        ("1.0E+04..", False, "1.0E+04"),
        ("2.5E-03", False, "2.5E-03"),
        ("Co:", False, "Co."),
        ("Inc;", False, "Inc."),
        ("LLC:", False, "LLC"),
        ("1D:", False, "ID:"),
        ("Color:", False, "Color:"),
        ("1:10", False, "1.10"),
        ("08:48", False, "08:48"),
        ("#:.", False, "#:"),
        ("Lot:,", False, "Lot:"),
    ],
)
def test_ocr_misreadings_of_numbers_and_units(text: str, after_x: bool, expected: str) -> None:
    assert ocr.repair_token(text, after_x) == expected


def test_exponent_after_a_separate_times_sign() -> None:
    from parsers.layout_text import Word

    words = [
        Word("1.6", 240, 100, 255, 107, 7),
        Word("x", 258, 101, 262, 107, 7),
        Word("1075", 265, 100, 283, 107, 7),
        Word("1075", 400, 100, 418, 107, 7),
    ]
    assert [w.text for w in ocr.repair_words(words)] == ["1.6", "x", "10^5", "1075"]


def test_a_tilted_scan_is_levelled() -> None:
    """Rows drift 3 pt across the page; after levelling a label and its values share a line."""
    from parsers.layout_text import Word, build_lines

    words = []
    for row in range(6):
        for x, text in ((44, "Arsenic"), (244, "0.37"), (344, "ppb"), (424, "50"), (494, "PASS")):
            y = 100 + 15 * row - 0.006 * x
            words.append(Word(text, x, y, x + 20, y + 6.5, 6.5))
    assert len(build_lines(words, 1)) > 6
    level = ocr.deskew(words)
    assert len(build_lines(level, 1)) == 6
    assert ocr.deskew(level) == level  # a level page is kept as it is


def test_micrograms_that_lost_their_mu_on_an_ocr_page() -> None:
    from parsers.layout_text import TextPage, Word, build_lines
    from parsers.results import extract_results

    def page(ocr_page: bool) -> TextPage:
        rows = [
            ("Analyte", "Result", "Unit"),
            ("Lead", "1100", "g/kg"),
            ("Aflatoxin B1", "0.41", "g/kg"),
            ("Mitragynine", "15", "g/kg"),
        ]
        words = [
            Word(t, x, 100 + 15 * r, x + 30, 107 + 15 * r, 7)
            for r, row in enumerate(rows)
            for x, t in zip((40, 200, 300), row, strict=True)
        ]
        return TextPage(1, 595, 842, build_lines(words, 1, ocr=ocr_page), ocr_page)

    got = {r.analyte: (r.value, r.unit) for r in extract_results([page(True)], False)[0]}
    assert got == {
        "lead": (1.1, "ug/g"),
        "aflatoxin_b1": (0.41, "ug/kg"),
        "mitragynine": (1.5, "%"),
    }
    got = {r.analyte: (r.value, r.unit) for r in extract_results([page(False)], False)[0]}
    assert "lead" not in got  # a text layer says 1100 g/kg and means it: more than the whole sample


def test_a_power_of_ten_in_the_next_cell_joins_its_mantissa() -> None:
    from parsers.layout_text import Line, Word, split_cells
    from parsers.rows import segments

    words = [
        Word("TYMC", 44, 100, 70, 107, 7),
        Word("1.2", 245, 100, 256, 107, 7),
        Word("x", 262, 101, 266, 107, 7),
        Word("10^4", 269, 100, 285, 107, 7),
        Word("cfu/g", 345, 100, 365, 107, 7),
    ]
    seg = segments(Line(split_cells(words, 0.9), 1, True))[0]
    assert [a.text for a in seg.atoms] == ["1.2 x 10^4", "cfu/g"]


def test_a_row_with_a_verdict_is_not_a_header() -> None:
    from parsers.columns import is_header
    from parsers.layout_text import Line, Word, split_cells

    words = [
        Word(t, x, 100, x + 25, 107, 7)
        for x, t in ((44, "Coliforms"), (245, "Tl"), (345, "CFU/g"), (425, "10"), (495, "PASS"))
    ]
    assert not is_header(Line(split_cells(words, 0.9), 1, True))
    words = [
        Word(t, x, 100, x + 25, 107, 7)
        for x, t in ((44, "Analyte"), (245, "Result"), (345, "Unit"), (425, "LOQ"), (495, "Status"))
    ]
    assert is_header(Line(split_cells(words, 0.9), 1, True))


def test_a_time_before_am_or_pm_keeps_its_colon() -> None:
    from parsers.layout_text import Word

    words = [
        Word("8:48", 100, 100, 120, 107, 7),
        Word("AM", 123, 100, 135, 107, 7),
        Word("1:10", 300, 100, 315, 107, 7),
    ]
    assert [w.text for w in ocr.repair_words(words)] == ["8:48", "AM", "1.10"]
