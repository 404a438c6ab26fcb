"""Mechanisms added for layouts the parser was not tuned on (see tests.synthetic.wild), each on a
small reportlab PDF: dotted leaders, footnote markers, uncertainties, limit lists, side-by-side
stacks whose rows do not line up, decimal-comma documents with dot thousands, Spanish labels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import ParsedResult, parse
from parsers.values import parse_cell


def _by_code(results: tuple[ParsedResult, ...]) -> dict[str, ParsedResult]:
    return {r.analyte: r for r in results}


def test_dotted_leaders_between_label_and_value(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "HEAVY METALS"),
            (50, 75, "Lead (Pb) " + "." * 60 + " 0.12 ppm"),
            (420, 75, "PASS"),
            (50, 90, "Arsenic" + "." * 70 + "N.D. ppm"),
            (420, 90, "PASS"),
            (50, 105, "Salmonella spp. " + "." * 50 + " ND in 25 g"),
            (420, 105, "PASS"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["lead"].value, got["lead"].unit, got["lead"].lab_status) == (0.12, "ug/g", "pass")
    assert (got["arsenic"].qualifier, got["arsenic"].value) == ("nd", None)
    assert got["salmonella"].qualifier == "not_detected"


@pytest.mark.parametrize(
    ("text", "qualifier", "value"),
    [
        ("1.75a", "=", 1.75),
        ("<0.01*", "<", 0.01),
        ("ND*", "nd", None),
        ("0.12¹", "=", 0.12),
        ("0.12 a", "=", 0.12),
        ("Absent†", "not_detected", None),
    ],
)
def test_footnote_markers_are_not_part_of_the_value(
    text: str, qualifier: str, value: float | None
) -> None:
    reading = parse_cell(text)
    assert reading is not None and (reading.qualifier, reading.value) == (qualifier, value)


def test_uncertainty_after_the_value(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "Result"),
            (300, 60, "LOQ"),
            (360, 60, "Limit"),
            (40, 75, "Mercury (Hg)"),
            (200, 75, "49 ± 6 ppb"),
            (300, 75, "5"),
            (360, 75, "200"),
            (40, 90, "Mitragynine"),
            (200, 90, "10.4 ± 1.4 mg/g"),
            (300, 90, "0.1"),
            (360, 90, "Report"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["mercury"].value, got["mercury"].unit) == (pytest.approx(0.049), "ug/g")
    assert (got["mitragynine"].value, got["mitragynine"].unit) == (pytest.approx(1.04), "%")


def test_a_line_of_limits_is_not_results(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Lead 0.31 ppm"),
            (40, 300, "Limits: Pb 1.0 ppm, As 1.5 ppm, Cd 0.5 ppm, Hg 0.2 ppm (USP <2232>).", 7),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"lead"} and got["lead"].value == 0.31


def test_row_with_unit_and_pass_word_is_not_a_header(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Cadmium"),
            (300, 60, "<0.01* ppm"),
            (400, 60, "PASS"),
            (40, 75, "Mercury"),
            (300, 75, "36 ppb"),
            (400, 75, "PASS"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["cadmium"].qualifier, got["cadmium"].value) == ("<", 0.01)
    assert got["mercury"].value == pytest.approx(0.036)


def test_spanish_protocol_with_dot_thousands(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 40, "Informe de ensayo"),
            (40, 60, "Parámetro"),
            (200, 60, "Método"),
            (300, 60, "Resultado"),
            (400, 60, "Límite"),
            (470, 60, "Conformidad"),
            (40, 75, "Plomo"),
            (200, 75, "ICP-MS"),
            (300, 75, "0,45 mg/kg"),
            (400, 75, "< 1"),
            (470, 75, "Conforme"),
            (40, 90, "Recuento de aerobios mesófilos"),
            (200, 90, "AOAC 990.12"),
            (300, 90, "35.000 UFC/g"),
            (400, 90, "<1.000.000"),
            (470, 90, "Conforme"),
            (40, 105, "Coliformes totales"),
            (200, 105, "AOAC 997.02"),
            (300, 105, "< 10 UFC/g"),
            (470, 105, "Conforme"),
            (40, 120, "Salmonella spp."),
            (200, 120, "ISO 6579"),
            (300, 120, "No detectado en 25 g"),
            (470, 120, "Conforme"),
            (40, 135, "Especioginina"),
            (200, 135, "HPLC"),
            (300, 135, "0,244 %"),
            (400, 135, "0,1 - 0,25"),
            (470, 135, "No conforme"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["lead"].value, got["lead"].unit, got["lead"].lab_status) == (0.45, "ug/g", "pass")
    assert (got["total_aerobic_count"].value, got["total_aerobic_count"].unit) == (35000.0, "CFU/g")
    assert (got["total_coliforms"].qualifier, got["total_coliforms"].value) == ("<", 10.0)
    assert got["salmonella"].qualifier == "not_detected"
    assert (got["speciogynine"].value, got["speciogynine"].lab_status) == (0.244, "fail")


def test_uncertainty_column_and_right_aligned_values(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (190, 60, "Result"),
            (240, 60, "± U (k=2)"),
            (285, 60, "Units"),
            (350, 60, "LOQ"),
            (40, 75, "Mitragynine"),
            (200, 75, "12.8"),
            (250, 75, "± 1.7"),
            (285, 75, "mg/g"),
            (350, 75, "0.1"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["mitragynine"].value, got["mitragynine"].unit) == (pytest.approx(1.28), "%")


def test_value_with_unit_reaching_under_the_units_title(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (190, 60, "Result"),
            (228, 60, "Units"),
            (350, 60, "LOQ"),
            (40, 75, "Yeast & Mold"),
            (196, 75, "21,400 CFU/g"),
            (350, 75, "10"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["yeast_and_mold"].value, got["yeast_and_mold"].loq) == (21400.0, 10.0)


def test_a_heading_that_names_an_analyte_takes_no_box_value(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "MG"),
            (40, 75, "10.4 mg/g", 14),
            (40, 100, "Alkaloid Profile", 11),
            (40, 120, "Analyte"),
            (200, 120, "Result"),
            (300, 120, "Units"),
            (40, 135, "Mitragynine"),
            (200, 135, "10.4"),
            (300, 135, "mg/g"),
        ]
    )
    assert [(r.analyte, r.value) for r in parse(pdf).results] == [
        ("mitragynine", pytest.approx(1.04))
    ]


def test_side_by_side_stacks_whose_rows_do_not_line_up(make_pdf: Callable[..., Path]) -> None:
    """The right panel's header shares a line with a row of the left panel; its heading prints on
    the left header's line."""
    head = ("Analyte", "LOD", "LOQ", "Result", "Status")
    xs = (0, 110, 150, 190, 240)

    def row(x0: float, y: float, cells: tuple[str, ...]) -> list[tuple[float, float, str, float]]:
        return [(x0 + dx, y, text, 7) for dx, text in zip(xs, cells, strict=True)]

    pdf = make_pdf(
        [
            (30, 50, "Heavy Metals", 9),
            (330, 53, "Microbiology", 9),
            *row(30, 62, head),
            *row(330, 66, head),
            *row(30, 75, ("Lead", "0.017", "0.05", "0.22 ppm", "Pass")),
            *row(330, 80, ("Coliforms", "3.3", "10", "120 CFU/g", "Pass")),
            *row(30, 88, ("Cadmium", "0.0033", "0.01", "0.62 ppm", "Fail")),
            (30, 104, "Mycotoxins", 9),
            (330, 101, "Physical Tests", 9),
            *row(30, 116, head),
            *row(330, 114, ("Moisture", "0.033", "0.1", "7.0 %", "Pass")),
            *row(30, 129, ("Aflatoxin B1", "0.17", "0.5", "1.4 ppb", "Pass")),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert {k: (r.value, r.unit) for k, r in got.items()} == {
        "lead": (0.22, "ug/g"),
        "cadmium": (0.62, "ug/g"),
        "total_coliforms": (120.0, "CFU/g"),
        "moisture": (7.0, "%"),
        "aflatoxin_b1": (1.4, "ug/kg"),
    }


def test_footnote_marks_glued_to_labels(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Lead1"),
            (300, 60, "0.36 ppm"),
            (40, 75, "Hg1"),
            (300, 75, "ND* ppm"),
            (40, 90, "Aflatoxin B1"),
            (300, 90, "1.2 ppb"),
            (40, 105, "Bile-tolerant gram-negative bacteria< 10 CFU/g"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert got["lead"].value == 0.36 and got["mercury"].qualifier == "nd"
    assert got["aflatoxin_b1"].value == 1.2
    assert (got["enterobacteriaceae"].qualifier, got["enterobacteriaceae"].value) == ("<", 10.0)
