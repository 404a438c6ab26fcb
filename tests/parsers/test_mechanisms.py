"""The general result mechanisms, each on a small reportlab PDF: transposed tables,
multi-unit columns, summary boxes, two-line headers, out-of-scope sections, footnotes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from parsers import ParsedResult, parse


def _by_code(results: tuple[ParsedResult, ...]) -> dict[str, ParsedResult]:
    return {r.analyte: r for r in results}


def _codes(pdf: Path) -> set[str]:
    return {r.analyte for r in parse(pdf).results}


def test_transposed_table(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 40, "Heavy Metals"),
            (140, 60, "Pb"),
            (230, 60, "Hg"),
            (320, 60, "Cr"),
            (40, 75, "Result"),
            (140, 75, "220"),
            (230, 75, "<5"),
            (320, 75, "ND"),
            (40, 90, "Unit"),
            (140, 90, "ppb"),
            (230, 90, "ppb"),
            (320, 90, "ppm"),
            (40, 105, "LOQ"),
            (140, 105, "50"),
            (230, 105, "5"),
            (320, 105, "0.1"),
            (40, 120, "Status"),
            (140, 120, "Pass"),
            (230, 120, "Pass"),
            (320, 120, "-"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"lead", "mercury", "chromium"}
    assert (got["lead"].value, got["lead"].unit, got["lead"].loq, got["lead"].lab_status) == (
        0.22,
        "ug/g",
        0.05,
        "pass",
    )
    assert (got["mercury"].qualifier, got["mercury"].value) == ("<", 0.005)
    assert (got["chromium"].qualifier, got["chromium"].value, got["chromium"].lab_status) == (
        "nd",
        None,
        None,
    )


def test_transposed_rows_titled_by_unit(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (140, 60, "Mitragynine"),
            (260, 60, "Paynantheine"),
            (40, 75, "%"),
            (140, 75, "1.42"),
            (260, 75, "<0.01"),
            (40, 90, "mg/g"),
            (140, 90, "14.2"),
            (260, 90, "<0.1"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["mitragynine"].value, got["mitragynine"].unit) == (pytest.approx(1.42), "%")
    assert (got["paynantheine"].qualifier, got["paynantheine"].value) == ("<", 0.01)


def test_one_measurement_in_three_unit_columns(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "LOQ (%)"),
            (280, 60, "%"),
            (350, 60, "mg/g"),
            (430, 60, "mg/serving"),
            (40, 75, "Mitragynine"),
            (200, 75, "0.01"),
            (280, 75, "1.47"),
            (350, 75, "14.70"),
            (430, 75, "29.40"),
            (40, 90, "Total Alkaloids (per serving)"),
            (430, 90, "42.1"),
        ]
    )
    results = parse(pdf).results
    got = _by_code(results)
    assert [r.analyte for r in results].count("mitragynine") == 1
    assert (got["mitragynine"].value, got["mitragynine"].unit) == (pytest.approx(1.47), "%")
    assert (got["total_alkaloids"].value, got["total_alkaloids"].unit) == (42.1, "mg/serving")


def test_two_line_header(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (330, 55, "LOD"),
            (400, 55, "LOQ"),
            (460, 55, "Limits"),
            (40, 62, "Test ID"),
            (130, 62, "Test Analysis"),
            (250, 62, "Result"),
            (520, 62, "Disposition"),
            (330, 70, "(ppb)"),
            (400, 70, "(ppb)"),
            (460, 70, "(ppb)"),
            (40, 85, "S-AFB1"),
            (130, 85, "Aflatoxin B1"),
            (250, 85, "Not Detected"),
            (330, 85, "3.3"),
            (400, 85, "10"),
            (460, 85, "20"),
            (520, 85, "Pass"),
            (40, 100, "S-HM"),
            (130, 100, "Arsenic"),
            (250, 100, "ND"),
            (330, 100, "43.7"),
            (400, 100, "132.4"),
            (460, 100, "200"),
            (520, 100, "Pass"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["aflatoxin_b1"].qualifier, got["aflatoxin_b1"].loq) == ("nd", 10.0)
    assert (got["arsenic"].qualifier, got["arsenic"].value, got["arsenic"].lab_status) == (
        "nd",
        None,
        "pass",
    )


def test_labels_left_of_centred_titles(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (60, 60, "Analyte"),
            (130, 60, "LOD"),
            (160, 60, "Action Level"),
            (220, 60, "Result"),
            (270, 60, "Status"),
            (130, 70, "(ug/kg)"),
            (165, 70, "(ug/kg)"),
            (220, 70, "(ug/kg)"),
            (15, 85, "Lead"),
            (130, 85, "20.7"),
            (170, 85, "500"),
            (220, 85, "< LOQ"),
            (272, 85, "Pass"),
            (15, 100, "Cadmium"),
            (130, 100, "18.9"),
            (170, 100, "500"),
            (225, 100, "ND"),
            (272, 100, "Pass"),
        ]
    )
    got = _by_code(parse(pdf).results)
    # ``< LOQ`` under a table that prints an LOD and no LOQ: the LOD is no upper bound (a
    # reading below the LOQ may lie above the LOD), so the row has no value to judge by
    assert (got["lead"].qualifier, got["lead"].value, got["lead"].loq) == ("<", None, None)
    assert (got["cadmium"].qualifier, got["cadmium"].lab_status) == ("nd", "pass")


def test_summary_box_value_above_label(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (270, 100, "0.43 aw", 16),
            (265, 118, "Limit: 0.65 aw"),
            (285, 132, "Pass"),
            (262, 146, "Water Activity"),
            (275, 200, "12.4%", 16),
            (268, 218, "Limit: 15.0 %"),
            (285, 232, "Pass"),
            (272, 246, "Moisture"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["water_activity"].value, got["water_activity"].unit) == (0.43, "aw")
    assert (got["moisture"].value, got["moisture"].unit) == (12.4, "%")


def test_narrative_label_then_prose_is_not_a_result(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Water Activity Meter"),
            (250, 60, "SOP: 407"),
            (
                40,
                80,
                "moisture concentration. (mg/ml) = Milligrams per Milliliter, LOQ = Limit of Quantitation",
            ),
            (40, 100, "Water: 0.580 Aw"),
            (250, 100, "Final Weight: 1.0368 g"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"water_activity"}
    assert (got["water_activity"].value, got["water_activity"].unit) == (0.58, "aw")


def test_out_of_scope_section_rows_are_skipped(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 40, "FILTH & FOREIGN MATERIAL ANALYSIS"),
            (40, 60, "Analyte"),
            (150, 60, "Result"),
            (250, 60, "Limit"),
            (330, 60, "Status"),
            (40, 75, "Mold"),
            (150, 75, "ND"),
            (250, 75, "25%"),
            (330, 75, "Pass"),
            (40, 100, "MICROBIAL ANALYSIS"),
            (40, 120, "Analyte"),
            (150, 120, "Result"),
            (250, 120, "Limit"),
            (330, 120, "Status"),
            (40, 135, "Salmonella"),
            (150, 135, "Not Detected"),
            (250, 135, "Absent"),
            (330, 135, "Pass"),
        ]
    )
    assert _codes(pdf) == {"salmonella"}


@pytest.mark.parametrize(
    "row, expected",
    [
        (
            [(40, 60, "Salmonella"), (150, 60, "Not Detected"), (250, 60, "N/A")],
            ("salmonella", "not_detected"),
        ),
        ([(40, 60, "Arsenic"), (150, 60, "ND"), (250, 60, "43.7")], ("arsenic", "nd")),
        ([(40, 60, "E.Coli"), (150, 60, "1 Absence")], ("e_coli", "not_detected")),
        ([(40, 60, "Arsenic (As): N.D. ppm (LOQ 0.05) - Pass")], ("arsenic", "nd")),
    ],
)
def test_label_stops_at_value_words(
    make_pdf: Callable[..., Path], row: list[Any], expected: tuple[str, str]
) -> None:
    got = parse(make_pdf(row)).results
    assert [(r.analyte, r.qualifier) for r in got] == [expected]


def test_german_protocol(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (44, 60, "Parameter"),
            (244, 60, "Ergebnis"),
            (344, 60, "Einheit"),
            (424, 60, "BG"),
            (494, 60, "Bewertung"),
            (44, 75, "Gesamtalkaloide"),
            (244, 75, "14,8"),
            (344, 75, "mg/g"),
            (424, 75, "0,5"),
            (494, 75, "entspricht"),
            (44, 90, "Nickel"),
            (244, 90, "n.n."),
            (344, 90, "mg/kg"),
            (424, 90, "0,1"),
            (494, 90, "entspricht"),
            (44, 105, "Chrom"),
            (244, 105, "<BG"),
            (344, 105, "µg/kg"),
            (424, 105, "100"),
            (44, 120, "Hefen"),
            (244, 120, "2100"),
            (344, 120, "KBE/g"),
            (424, 120, "10"),
            (494, 120, "entspricht nicht"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["total_alkaloids"].value, got["total_alkaloids"].lab_status) == (
        pytest.approx(1.48),
        "pass",
    )
    assert got["nickel"].qualifier == "nd"
    assert (got["chromium"].qualifier, got["chromium"].value) == ("<", 0.1)
    assert (got["yeasts"].value, got["yeasts"].unit, got["yeasts"].lab_status) == (
        2100.0,
        "CFU/g",
        "fail",
    )


def test_panel_title_unit_applies_to_rows(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 40, "Alkaloids (mg/g)"),
            (40, 60, "Analyte"),
            (270, 60, "Result"),
            (360, 60, "LOQ"),
            (40, 75, "Speciogynine"),
            (270, 75, "2.00"),
            (360, 75, "0.1"),
            (40, 100, "Mycotoxins"),
            (40, 120, "Analyte"),
            (270, 120, "Result"),
            (360, 120, "LOQ"),
            (40, 135, "Ochratoxin A"),
            (270, 135, "1.5"),
            (360, 135, "1"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["speciogynine"].value, got["speciogynine"].loq) == (
        pytest.approx(0.2),
        pytest.approx(0.01),
    )
    assert (got["ochratoxin_a"].value, got["ochratoxin_a"].unit) == (1.5, "ug/kg")


def test_values_printed_a_little_below_their_label(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (300, 60, "Metal"),
            (430, 60, "LOD"),
            (455, 60, "Unit"),
            (480, 60, "Result"),
            (520, 60, "Pass / Fail"),
            (300, 75, "ARSENIC", 7),
            (430, 75, "0.02", 7),
            (455, 75, "PPM", 7),
            (480, 75, "ND", 7),
            (520, 75, "PASS", 7),
            (300, 85, "CADMIUM", 7),
            (520, 85, "PASS", 7),
            (430, 87.8, "0.02", 7),
            (455, 87.8, "PPM", 7),
            (480, 87.8, "ND", 7),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["cadmium"].qualifier, got["cadmium"].lab_status) == ("nd", "pass")


def test_an_loq_of_zero_is_no_bound(make_pdf: Callable[..., Path]) -> None:
    """``0.0`` under LOQ (a misread ``0.001``) gives a ``<`` without a bound, not ``< 0``."""
    doc = parse(
        make_pdf(
            [
                (40, 60, "Analyte"),
                (200, 60, "LOQ"),
                (280, 60, "Result"),
                (350, 60, "Units"),
                (40, 80, "7-OH"),
                (200, 80, "0.0"),
                (280, 80, "<LOQ"),
                (350, 80, "mg/g"),
                (40, 100, "Mitragynine"),
                (200, 100, "0.1"),
                (280, 100, "<LOQ"),
                (350, 100, "mg/g"),
            ]
        )
    )
    got = {r.analyte: (r.qualifier, r.value) for r in doc.results}
    assert got == {"7_hydroxymitragynine": ("<", None), "mitragynine": ("<", 0.01)}


def test_more_than_the_whole_sample_is_not_reported(make_pdf: Callable[..., Path]) -> None:
    doc = parse(
        make_pdf(
            [
                (40, 60, "Analyte"),
                (280, 60, "Result"),
                (350, 60, "Units"),
                (40, 80, "Speciociliatine"),
                (280, 80, "1233"),
                (350, 80, "mg/g"),
                (40, 100, "Mitragynine"),
                (280, 100, "15.2"),
                (350, 100, "mg/g"),
            ]
        )
    )
    assert {r.analyte: r.value for r in doc.results} == {"mitragynine": 1.52}
    assert any("more than the whole sample" in w for w in doc.warnings)
