"""Mechanisms for the second first-sight round (tests.synthetic.fresh), each on a small
reportlab PDF: pages turned by ``/Rotate`` (or printed sideways), a method phrase that runs
on under the LOQ title, names that wrap onto a second line with the value on it, and a lab
named only by its masthead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import ParsedResult, parse

#: (x, y, text[, size]): points, top-left origin, on the page as it reads.
Item = tuple


def _by_code(results: tuple[ParsedResult, ...]) -> dict[str, ParsedResult]:
    return {r.analyte: r for r in results}


TABLE: list[Item] = [
    (40, 60, "Analyte"),
    (200, 60, "Method"),
    (300, 60, "LOQ"),
    (360, 60, "Result"),
    (430, 60, "Units"),
    (40, 76, "Mitragynine"),
    (200, 76, "HPLC-UV"),
    (300, 76, "0.01"),
    (360, 76, "1.52"),
    (430, 76, "%"),
    (40, 90, "Lead"),
    (200, 90, "ICP-MS"),
    (300, 90, "0.05"),
    (360, 90, "0.31"),
    (430, 90, "ppm"),
    (40, 104, "Salmonella"),
    (200, 104, "PCR"),
    (300, 104, "-"),
    (360, 104, "Absent"),
    (430, 104, "-"),
]


def _turned(path: Path, items: list[Item], rotate: int | None) -> Path:
    """A landscape page drawn into a portrait media box: with ``/Rotate`` (90 or 270) so it
    reads upright on screen, or (``rotate=None``) simply printed sideways."""
    from reportlab.pdfgen.canvas import Canvas

    pw, ph = 612.0, 792.0
    c = Canvas(str(path), pagesize=(ph, pw) if rotate else (pw, ph), invariant=True)
    if rotate:
        c.setPageRotation(
            rotate
        )  # reportlab writes the media box from the displayed size: portrait here
    if rotate == 270:
        c.transform(0, -1, 1, 0, 0, ph)
    else:
        c.transform(0, 1, -1, 0, pw, 0)
    for item in items:
        c.setFont("Helvetica", item[3] if len(item) > 3 else 9)
        c.drawString(item[0], pw - item[1], item[2])
    c.drawString(40, pw - 30, "Certificate of Analysis")
    c.save()
    return path


@pytest.mark.parametrize("rotate", [90, 270, None])
def test_a_turned_landscape_page_is_read_in_its_own_direction(
    tmp_path: Path, rotate: int | None
) -> None:
    """Every glyph runs up (or down) the portrait page: the page is read turned, not dropped
    as chart labels (it used to be refused as having no text)."""
    doc = parse(_turned(tmp_path / "turned.pdf", TABLE, rotate))
    got = _by_code(doc.results)
    assert (got["mitragynine"].value, got["mitragynine"].unit) == (1.52, "%")
    assert (got["lead"].value, got["lead"].unit) == (0.31, "ug/g")
    assert got["salmonella"].qualifier == "not_detected"


def test_upright_stamp_on_a_turned_page_does_not_turn_it_back(tmp_path: Path) -> None:
    """A few upright glyphs (a stamp) on a page whose text runs up: the page is still read turned."""
    from reportlab.pdfgen.canvas import Canvas

    path = _turned(tmp_path / "t.pdf", TABLE, 90)
    # the same table with one upright word added, written afresh
    pw, ph = 612.0, 792.0
    c = Canvas(str(path), pagesize=(ph, pw), invariant=True)
    c.setPageRotation(90)
    c.setFont("Helvetica", 9)
    c.drawString(20, 20, "COPY")
    c.transform(0, 1, -1, 0, pw, 0)
    for item in TABLE:
        c.drawString(item[0], pw - item[1], item[2])
    c.save()
    assert _by_code(parse(path).results)["mitragynine"].value == 1.52


def test_method_phrase_running_under_the_loq_title_is_not_the_loq(
    make_pdf: Callable[..., Path],
) -> None:
    """``LC-MS/MS (SOP 4.12)`` starts under Method and runs on toward the LOQ title: its number
    belongs to the method; a ``BLQ`` result keeps the LOQ printed under the LOQ title."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte", 8),
            (150, 60, "Method", 8),
            (245, 60, "LOQ", 8),
            (300, 60, "Result", 8),
            (360, 60, "Units", 8),
            (40, 76, "Paynantheine", 8),
            (150, 76, "LC-MS/MS (SOP 4.12)", 8),
            (245, 76, "0.01", 8),
            (300, 76, "BLQ", 8),
            (360, 76, "%", 8),
            (40, 90, "Mitragynine", 8),
            (150, 90, "LC-MS/MS (SOP 4.12)", 8),
            (245, 90, "0.01", 8),
            (300, 90, "1.21", 8),
            (360, 90, "%", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["paynantheine"].qualifier, got["paynantheine"].value) == ("<", 0.01)
    assert got["mitragynine"].value == 1.21


WRAPPED: list[Item] = [
    (40, 60, "Analyte", 8),
    (140, 60, "LOQ", 8),
    (200, 60, "Result", 8),
    (260, 60, "Unit", 8),
    (40, 76, "Total Combined Yeasts and", 8),
    (40, 85.5, "Molds Count (TYMC)", 8),
    (140, 85.5, "10", 8),
    (200, 85.5, "5.0E+03", 8),
    (260, 85.5, "CFU/g", 8),
    (40, 100, "Total Aflatoxins (B1 + B2", 8),
    (40, 109.5, "+ G1 + G2)", 8),
    (140, 109.5, "2", 8),
    (200, 109.5, "5.7", 8),
    (260, 109.5, "ppb", 8),
    (40, 124, "Escherichia coli (E.", 8),
    (40, 133.5, "coli)", 8),
    (140, 133.5, "-", 8),
    (200, 133.5, "Not Detected", 8),
    (260, 133.5, "-", 8),
    (40, 148, "Bile-tolerant Gram-negative", 8),
    (40, 157.5, "Bacteria", 8),
    (140, 157.5, "10", 8),
    (200, 157.5, "14", 8),
    (260, 157.5, "CFU/g", 8),
    (40, 172, "Moisture (loss on", 8),
    (40, 181.5, "drying)", 8),
    (140, 181.5, "0.1", 8),
    (200, 181.5, "5.4", 8),
    (260, 181.5, "%", 8),
    (40, 196, "Aflatoxin G1", 8),
    (140, 196, "0.5", 8),
    (200, 196, "0.31", 8),
    (260, 196, "ppb", 8),
]


def test_wrapped_name_with_its_value_on_the_second_line(make_pdf: Callable[..., Path]) -> None:
    """The name's first line sits just above, alone in the analyte column: the row is the whole
    name (``Molds Count`` is not the mould count, ``G2)`` is not aflatoxin G2)."""
    results = parse(make_pdf(WRAPPED)).results
    got = _by_code(results)
    assert (got["yeast_and_mold"].value, got["yeast_and_mold"].unit) == (5000.0, "CFU/g")
    assert (got["total_aflatoxins"].value, got["total_aflatoxins"].unit) == (5.7, "ug/kg")
    assert got["e_coli"].qualifier == "not_detected"
    assert got["enterobacteriaceae"].value == 14.0
    assert (got["moisture"].value, got["moisture"].unit) == (5.4, "%")
    assert got["aflatoxin_g1"].value == 0.31
    assert "molds" not in got and "aflatoxin_g2" not in got
    assert len(results) == 6


def test_rows_apart_are_not_one_wrapped_name(make_pdf: Callable[..., Path]) -> None:
    """A panel heading above its first row (a row's padding apart) is no first line of its name."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte", 8),
            (140, 60, "LOQ", 8),
            (200, 60, "Result", 8),
            (260, 60, "Unit", 8),
            (40, 76, "Yeast and Mold", 8),
            (40, 90, "Molds", 8),
            (140, 90, "10", 8),
            (200, 90, "120", 8),
            (260, 90, "CFU/g", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert got["molds"].value == 120.0 and "yeast_and_mold" not in got


def test_lab_named_only_by_its_masthead(tmp_path: Path) -> None:
    """No lab word, no issuer's sentence, no domain: the name printed largest at the top of page
    1 and again in the footer is the lab, never a card label such as ``LABORATORY ID``."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "masthead.pdf"
    c = Canvas(str(path), pagesize=LETTER, invariant=True)
    h = LETTER[1]

    def put(x: float, y: float, text: str, size: float = 9, font: str = "Helvetica") -> None:
        c.setFont(font, size)
        c.drawString(x, h - y, text)

    put(40, 44, "Oriel Scientific Services", 14, "Helvetica-Bold")
    put(400, 44, "Certificate of Analysis", 12, "Helvetica-Bold")
    put(40, 80, "CLIENT", 6.2)
    put(40, 91, "Amber Trail Botanicals LLC", 9, "Helvetica-Bold")
    put(40, 110, "LABORATORY ID", 6.2)
    put(40, 121, "L8915413", 9, "Helvetica-Bold")
    put(40, 170, "Analyte", 8), put(200, 170, "Result", 8), put(260, 170, "Unit", 8)
    put(40, 184, "Lead", 8), put(200, 184, "0.31", 8), put(260, 184, "ppm", 8)
    put(
        40,
        760,
        "Oriel Scientific Services  |  18 Foundry Lane, Denver, CO 80216  |  Page 1 of 1",
        6.5,
    )
    c.save()
    assert parse(path).lab.name == "Oriel Scientific Services"


def test_value_centred_between_the_two_lines_of_its_name(make_pdf: Callable[..., Path]) -> None:
    """A table template that centres cells vertically: the value line sits midway between the
    two lines of its row's name; both lines name the row (the first alone names it too)."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte", 8),
            (140, 60, "Method", 8),
            (230, 60, "Result", 8),
            (290, 60, "Unit", 8),
            (40, 76, "Total Indole Alkaloids", 8),
            (140, 80.8, "UHPLC-DAD SOP-112", 8),
            (230, 80.8, "1.36", 8),
            (290, 80.8, "%", 8),
            (40, 85.6, "(sum of 5)", 8),
            (40, 100, "Bile-tolerant Gram-", 8),
            (140, 104.8, "AOAC 997.02", 8),
            (230, 104.8, "22", 8),
            (290, 104.8, "CFU/g", 8),
            (40, 109.6, "negative Bacteria", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["total_alkaloids"].value, got["total_alkaloids"].unit) == (1.36, "%")
    assert got["enterobacteriaceae"].value == 22.0


def test_bracketed_second_line_belongs_to_the_name_above_not_below(
    make_pdf: Callable[..., Path],
) -> None:
    """``Salmonella spp.`` over ``(detection)  Present/25g``, with the next row's wrapped name
    starting a row's padding below: the value line takes the nearer name."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte", 8),
            (140, 60, "Method", 8),
            (230, 60, "Result", 8),
            (40, 76, "Salmonella spp.", 8),
            (40, 85.7, "(detection)", 8),
            (140, 85.7, "AOAC 2003.09", 8),
            (230, 85.7, "Present/25g", 8),
            (40, 98.4, "Escherichia coli (E.", 8),
            (40, 108.1, "coli)", 8),
            (140, 108.1, "USP <2022>", 8),
            (230, 108.1, "Absent", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert got["salmonella"].qualifier == "detected"
    assert got["e_coli"].qualifier == "not_detected"


def test_touching_titles_of_two_roles_are_two_columns(make_pdf: Callable[..., Path]) -> None:
    """Right-aligned titles that touch (``Limit`` ending where ``Result (µg/kg)`` starts): the
    limit column does not swallow the result column, so ``<LOQ`` under it is the result."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x = 200 + stringWidth("Limit", "Helvetica", 8) + 1.8
    pdf = make_pdf(
        [
            (40, 60, "Mycotoxin", 8),
            (150, 60, "LOQ", 8),
            (200, 60, "Limit", 8),
            (x, 60, "Result (µg/kg)", 8),
            (40, 74, "Total Aflatoxins", 8),
            (150, 74, "2", 8),
            (200, 74, "20", 8),
            (x + 20, 74, "<LOQ", 8),
            (40, 86, "Ochratoxin A", 8),
            (150, 86, "1", 8),
            (200, 86, "20", 8),
            (x + 20, 86, "3.1", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["total_aflatoxins"].qualifier, got["total_aflatoxins"].value) == ("<", 2.0)
    assert (got["ochratoxin_a"].value, got["ochratoxin_a"].unit) == (3.1, "ug/kg")


def _page(tmp_path: Path, items: list[Item], name: str = "meta.pdf") -> Path:
    """(x, y, text[, size[, bold]]) on a Letter page."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / name
    c = Canvas(str(path), pagesize=LETTER, invariant=True)
    for item in items:
        size = item[3] if len(item) > 3 else 9
        c.setFont("Helvetica-Bold" if len(item) > 4 and item[4] else "Helvetica", size)
        c.drawString(item[0], LETTER[1] - item[1], item[2])
    c.save()
    return path


RESULT_ROWS: list[Item] = [
    (40, 300, "Analyte", 8),
    (200, 300, "Limit", 8),
    (260, 300, "Result", 8),
    (320, 300, "Unit", 8),
    (40, 314, "Aflatoxin G1", 8),
    (200, 314, "Report", 8),
    (260, 314, "0.51", 8),
    (320, 314, "ppb", 8),
]


def test_accreditation_certificate_number_is_no_report_number(tmp_path: Path) -> None:
    """``A2LA Certificate #6633.01`` under the lab's name: the lab's accreditation, while the
    report's own number is under its card label."""
    doc = parse(
        _page(
            tmp_path,
            [
                (40, 44, "Kettle Ridge Bioanalytics Inc.", 13, True),
                (40, 56, "A2LA Certificate #6633.01", 6.5),
                (40, 90, "CLIENT", 6.2),
                (300, 90, "REPORT NUMBER", 6.2),
                (40, 100, "Nine Rivers Kratom Co.", 9, True),
                (300, 100, "R24-00931-1", 9, True),
                *RESULT_ROWS,
            ],
        )
    )
    assert doc.report_number == "R24-00931-1"


def test_a_limit_of_report_in_a_results_row_is_no_report_label(tmp_path: Path) -> None:
    """``Aflatoxin G1 | Report | 0.51``: the limit column's "Report" labels nothing; a document
    whose only report number is in its title keeps none rather than a result."""
    doc = parse(_page(tmp_path, [(40, 44, "Oriel Scientific Services", 13, True), *RESULT_ROWS]))
    assert doc.report_number != "0.51"


@pytest.mark.parametrize("label", ["Testing Completed", "TESTS COMPLETED", "Analysis Complete"])
def test_testing_completed_dates_the_testing(tmp_path: Path, label: str) -> None:
    """A completion date qualified by testing is the tested date; a bare "Completed" stays the report's."""
    from parsers.metadata import fields_of_label

    doc = parse(
        _page(
            tmp_path,
            [
                (40, 44, "Oriel Scientific Services", 13, True),
                (40, 90, f"{label}:", 9),
                (160, 90, "2024-10-18", 9),
                *RESULT_ROWS,
            ],
        )
    )
    assert doc.dates.tested == "2024-10-18"
    assert fields_of_label("Completed")[0][0] == "reported"


def test_masthead_with_its_accreditation_names_the_lab(tmp_path: Path) -> None:
    """Named once, largest at the top, an accreditation statement beside it: the issuer."""
    doc = parse(
        _page(
            tmp_path,
            [
                (40, 44, "Lumen Assay Partners", 13, True),
                (400, 44, "Certificate of Analysis", 12, True),
                (400, 56, "ISO/IEC 17025 accredited, PJLA #L22-077", 6.5),
                (40, 90, "Client:", 9),
                (120, 90, "Willowmere Naturals", 9),
                *RESULT_ROWS,
            ],
        )
    )
    assert doc.lab.name == "Lumen Assay Partners"


def test_cards_of_labelled_values_under_their_names(tmp_path: Path) -> None:
    """Two cards a row: each name over its own ``Limit: … Result: … Status: …`` line. The
    keywords give the roles (a limit first is no result, ``Limit: ≤ 2`` no criterion), and the
    two names are no horizontal table over the values."""
    doc = parse(
        _page(
            tmp_path,
            [
                (40, 44, "Harrow & Vale Laboratories", 13, True),
                (40, 100, "7-OH", 9, True),
                (300, 100, "Speciogynine", 9, True),
                (50, 111, "Limit: ≤ 2", 7.5),
                (110, 111, "Result: 0.0226 %", 7.5),
                (190, 111, "Status: Pass", 7.5),
                (310, 111, "Limit: 1 - 2.5", 7.5),
                (380, 111, "Result: 1.91 mg/g", 7.5),
                (470, 111, "Status: Pass", 7.5),
                (40, 130, "Lead (Pb)", 9, True),
                (300, 130, "Arsenic (As)", 9, True),
                (50, 141, "Result: 0.26 mg/kg", 7.5),
                (140, 141, "LOQ: 0.05 mg/kg", 7.5),
                (220, 141, "Limit: NMT 1", 7.5),
                (310, 141, "Result: <LOQ µg/kg", 7.5),
                (400, 141, "LOQ: 50 µg/kg", 7.5),
                (470, 141, "Limit: ≤ 1500", 7.5),
            ],
        )
    )
    got = _by_code(doc.results)
    assert (got["7_hydroxymitragynine"].value, got["7_hydroxymitragynine"].unit) == (0.0226, "%")
    assert got["speciogynine"].value == pytest.approx(0.191)
    assert (got["lead"].value, got["lead"].unit) == (0.26, "ug/g")
    assert (got["arsenic"].qualifier, got["arsenic"].value) == ("<", pytest.approx(0.05))
    assert len(doc.results) == 4
