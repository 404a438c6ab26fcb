"""Results-table mechanisms of issue 8, each on a small reportlab PDF: limit columns, table and
panel scope, horizontal tables without row titles, things that are not results, censored
counts and units that are not a mass fraction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import ParsedResult, parse


def _by_code(results: tuple[ParsedResult, ...]) -> dict[str, ParsedResult]:
    return {r.analyte: r for r in results}


# --- 10: limit columns -----------------------------------------------------------------


def test_limit_column_with_its_unit_below_is_not_the_result(make_pdf: Callable[..., Path]) -> None:
    """``Action Limit`` with ``ppb`` printed a little right of it on the unit line: the limit
    keeps its column; the row's result is its ``ND``."""
    pdf = make_pdf(
        [
            (45, 60, "Analyte", 7),
            (150, 60, "Action Limit", 7),
            (208, 60, "LOD", 7),
            (242, 60, "Results", 7),
            (280, 60, "Status", 7),
            (177, 69, "ppb", 7),
            (209, 69, "ppb", 7),
            (245, 69, "ppb", 7),
            (45, 80, "Aflatoxin B1", 7),
            (172, 80, "20.0", 7),
            (218, 80, "2", 7),
            (254, 80, "ND", 7),
            (280, 80, "Pass", 7),
            (45, 90, "Ochratoxin A", 7),
            (172, 90, "20.0", 7),
            (218, 90, "2", 7),
            (254, 90, "3.1", 7),
            (280, 90, "Pass", 7),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["aflatoxin_b1"].qualifier, got["aflatoxin_b1"].value) == ("nd", None)
    assert (got["ochratoxin_a"].qualifier, got["ochratoxin_a"].value, got["ochratoxin_a"].unit) == (
        "=",
        3.1,
        "ug/kg",
    )


# --- 5: horizontal tables without row titles ---------------------------------------------


def test_horizontal_table_without_row_titles(make_pdf: Callable[..., Path]) -> None:
    """Analytes as column titles over one row of values; abbreviations defined in a footnote;
    a genus mark before the organism; the unit in the heading."""
    pdf = make_pdf(
        [
            (40, 40, "Microbiological examination"),
            (80, 60, "TPC"),
            (170, 60, "yeasts"),
            (250, 60, "moulds"),
            (330, 60, "E.coli"),
            (410, 60, "g. Salmonella"),
            (70, 74, "2,4.10^4"),
            (172, 74, "<50"),
            (254, 74, "<50"),
            (334, 74, "<10"),
            (418, 74, "negative"),
            (40, 100, "Heavy metals (mg/kg)"),
            (80, 120, "Pb"),
            (170, 120, "Cd"),
            (250, 120, "Hg"),
            (74, 134, "0,12"),
            (164, 134, "<0,01"),
            (244, 134, "0,004"),
            (
                40,
                170,
                "Abbreviations: TPC – total plate count at 30 °C; CFU – colony forming units.",
                7,
            ),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["total_aerobic_count"].value, got["total_aerobic_count"].unit) == (24000.0, "CFU/g")
    assert (got["yeasts"].qualifier, got["yeasts"].value) == ("<", 50.0)
    assert (got["molds"].qualifier, got["molds"].value) == ("<", 50.0)
    assert (got["e_coli"].qualifier, got["e_coli"].value, got["e_coli"].unit) == (
        "<",
        10.0,
        "CFU/g",
    )
    assert got["salmonella"].qualifier == "not_detected"
    assert (got["lead"].value, got["lead"].unit) == (pytest.approx(0.12), "ug/g")
    assert (got["cadmium"].qualifier, got["cadmium"].value) == ("<", pytest.approx(0.01))
    assert got["mercury"].value == pytest.approx(0.004)
    assert len(got) == 8


def test_horizontal_row_needs_its_values_under_the_names(make_pdf: Callable[..., Path]) -> None:
    """A line of names followed by numbers that stand under none of them is no table."""
    pdf = make_pdf(
        [
            (80, 60, "Lead"),
            (250, 60, "Cadmium"),
            (150, 74, "12"),
            (330, 74, "2024"),
        ]
    )
    assert parse(pdf).results == ()


def test_abbreviation_defined_only_by_the_document(make_pdf: Callable[..., Path]) -> None:
    """``CPM`` names nothing by itself; the document's footnote defines it. A value word
    (``ND = Not Detected``) is never made an analyte by a definition beside it."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "Result"),
            (280, 60, "Unit"),
            (40, 75, "CPM"),
            (200, 75, "3.2 x 10^3"),
            (280, 75, "CFU/g"),
            (40, 90, "Salmonella"),
            (200, 90, "ND"),
            (280, 90, "/25 g"),
            (40, 130, "CPM = colony count of aerobic mesophilic microorganisms", 7),
            (40, 140, "ND = Not Detected. Salmonella tested by PCR", 7),
        ]
    )
    results = parse(pdf).results
    got = _by_code(results)
    assert (got["total_aerobic_count"].value, got["total_aerobic_count"].unit) == (3200.0, "CFU/g")
    assert got["salmonella"].qualifier == "not_detected"
    assert len(results) == 2


# --- 4: table and panel scope ------------------------------------------------------------


def test_side_by_side_panels_keep_their_own_text(make_pdf: Callable[..., Path]) -> None:
    """Two panels side by side: the left panel's legend (``LOD = Limit of Detection``) on a row
    of the right panel does not make that row a list of limits, and the right panel's
    footnote (``... quality control samples ...``) on a row of the left panel does not make
    that row a QC row."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte", 7),
            (120, 60, "LOD", 7),
            (160, 60, "Results", 7),
            (210, 60, "Status", 7),
            (300, 60, "Analyte", 7),
            (420, 60, "LOD", 7),
            (460, 60, "Results", 7),
            (520, 60, "Status", 7),
            (40, 72, "Lead", 7),
            (120, 72, "20", 7),
            (160, 72, "ND", 7),
            (210, 72, "Pass", 7),
            (300, 72, "Salmonella", 7),
            (420, 72, "1", 7),
            (460, 72, "Absent in 1 gram", 7),
            (530, 72, "Pass", 7),
            (40, 84, "LOD = Limit of Detection.", 7),
            (300, 84, "Shiga Toxin producing E. Coli", 7),
            (420, 84, "1", 7),
            (460, 84, "Absent in 1 gram", 7),
            (530, 84, "Pass", 7),
            (40, 96, "Cadmium", 7),
            (120, 96, "20", 7),
            (160, 96, "41", 7),
            (210, 96, "Pass", 7),
            (300, 96, "Unless otherwise stated all quality control samples passed.", 7),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert got["lead"].qualifier == "nd"
    assert got["salmonella"].qualifier == "not_detected"
    assert got["stec"].qualifier == "not_detected"
    assert (got["cadmium"].value, got["cadmium"].qualifier) == (41.0, "=")


def test_inline_field_ends_an_out_of_scope_panel(make_pdf: Callable[..., Path]) -> None:
    """A foreign-matter panel switches off only itself: its ``Mold (visible)`` row is no mould
    count, and an inline ``Moisture: 8.4 %`` after it is read (and ends the table above)."""
    pdf = make_pdf(
        [
            (40, 40, "Foreign Matter"),
            (40, 60, "Test"),
            (200, 60, "Result"),
            (300, 60, "Limit"),
            (40, 75, "Mold (visible)"),
            (200, 75, "Present"),
            (300, 75, "Absent"),
            (40, 90, "Stems > 5 mm"),
            (200, 90, "1.2 %"),
            (300, 90, "5 %"),
            (40, 110, "Moisture: 8.4 %"),
            (40, 125, "Water Activity (aw): 0.56 aw"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"moisture", "water_activity"}
    assert (got["moisture"].value, got["moisture"].unit) == (8.4, "%")
    assert (got["water_activity"].value, got["water_activity"].unit) == (0.56, "aw")


# --- 8: not results ----------------------------------------------------------------------


def test_criterion_sentence_is_not_a_result(make_pdf: Callable[..., Path]) -> None:
    """``7-OH: ≤ 2 % of total alkaloids`` states a rule; the table row keeps the measurement."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "Result"),
            (280, 60, "Unit"),
            (40, 75, "7-Hydroxymitragynine"),
            (200, 75, "0.02"),
            (280, 75, "%"),
            (40, 100, "7-OH: ≤ 2 % of total alkaloids", 8),
            (40, 112, "Criterion for mitragynine: 0.5 - 2.0 %", 8),
            (40, 124, "Lead: NMT 1.0 ppm", 8),
        ]
    )
    results = parse(pdf).results
    assert [(r.analyte, r.value, r.qualifier) for r in results] == [
        ("7_hydroxymitragynine", 0.02, "=")
    ]


def test_index_table_is_not_results(make_pdf: Callable[..., Path]) -> None:
    """Test / method / page / outcome: page numbers are no measurements."""
    pdf = make_pdf(
        [
            (40, 60, "Test"),
            (200, 60, "Method"),
            (330, 60, "Page"),
            (400, 60, "Outcome"),
            (40, 75, "Lead"),
            (200, 75, "ICP-MS"),
            (330, 75, "3"),
            (400, 75, "Pass"),
            (40, 90, "Mitragynine"),
            (200, 90, "HPLC"),
            (330, 90, "2"),
            (400, 90, "Pass"),
            (40, 105, "Salmonella"),
            (200, 105, "PCR"),
            (330, 105, "4"),
            (400, 105, "Complies"),
        ]
    )
    assert parse(pdf).results == ()


# --- 9: censored counts ------------------------------------------------------------------


def test_nd_on_a_count_stays_a_censored_count(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "Result"),
            (280, 60, "Unit"),
            (40, 75, "Total Aerobic Count"),
            (200, 75, "ND"),
            (280, 75, "CFU/g"),
            (40, 90, "E. coli"),
            (200, 90, "ND"),
            (280, 90, "CFU/g"),
            (40, 105, "Salmonella"),
            (200, 105, "ND"),
            (280, 105, "CFU/g"),
            (40, 120, "Staphylococcus aureus"),
            (200, 120, "Absent"),
            (280, 120, "/10 g"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["e_coli"].qualifier, got["e_coli"].value, got["e_coli"].unit) == (
        "nd",
        None,
        "CFU/g",
    )
    assert (got["total_aerobic_count"].qualifier, got["total_aerobic_count"].unit) == (
        "nd",
        "CFU/g",
    )
    assert (got["salmonella"].qualifier, got["salmonella"].unit) == (
        "not_detected",
        None,
    )  # presence only
    assert got["staphylococcus_aureus"].qualifier == "not_detected"


# --- harm case: amounts that are not a mass fraction -------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        [(40, 60, "Total CBD"), (200, 60, "25.23 MG"), (300, 60, "1.01 %")],
        [
            (40, 60, "Analyte"),
            (200, 60, "Result"),
            (280, 60, "Unit"),
            (340, 60, "%"),
            (40, 75, "CBD"),
            (200, 75, "25.23"),
            (280, 75, "MG"),
            (340, 75, "1.01"),
        ],
        [
            (40, 60, "Cannabinoid"),
            (200, 60, "Amount"),
            (280, 60, "Units"),
            (40, 75, "CBD"),
            (200, 75, "25.23"),
            (280, 75, "mg/unit"),
            (40, 90, "Total THC"),
            (200, 90, "0.80"),
            (280, 90, "MG"),
        ],
    ],
)
def test_milligrams_of_cbd_are_never_mitragynine(
    make_pdf: Callable[..., Path], items: list[tuple[float, float, str]]
) -> None:
    """On a hemp gummy COA ``25.23 MG`` is milligrams of CBD: ``MG`` after a number or under a
    Unit column is a unit, so no row here names mitragynine."""
    assert parse(make_pdf(items)).results == ()


def test_amount_per_unit_never_becomes_a_percentage(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "Result"),
            (280, 60, "Unit"),
            (40, 75, "Mitragynine"),
            (200, 75, "25.23"),
            (280, 75, "mg/unit"),
            (40, 90, "Mitragynine"),
            (200, 90, "25.23"),
            (280, 90, "MG"),
        ]
    )
    assert all(r.unit != "%" for r in parse(pdf).results)


def test_below_reporting_limit_with_limit_and_method_columns(make_pdf: Callable[..., Path]) -> None:
    """``Analytical Method`` is a method column (not a second analyte column); ``< MRL`` is below
    the reporting limit, read with the MRL column, never the action limit beside it; on a
    presence test it is a not-detected call, on a count in CFU/g a censored count."""
    heads = (
        (20, "Analyte Name"),
        (100, "Analytical Method"),
        (190, "Concentration"),
        (255, "Action Limit"),
        (310, "Units"),
        (340, "MRL"),
        (370, "LOQ"),
        (400, "Pass/Fail"),
    )
    rows = (
        ("aflatoxin b1", "Mycotoxins", "< MRL", "20", "ppb", "5", "5", "PASS"),
        ("e coli", "Microbes", "< MRL", "N/A", "CFU/g", "10", "10", "PASS"),
        ("salmonella", "Microbes", "< MRL", "N/A", "CFU/g", "0", "0", "PASS"),
        ("ochratoxin a", "Mycotoxins", "12", "20", "ppb", "10", "10", "PASS"),
    )
    items: list[tuple[float, float, str, float]] = [(x, 60, t, 7) for x, t in heads]
    for n, row in enumerate(rows):
        items += [(x, 75 + 11 * n, t, 7) for (x, _h), t in zip(heads, row, strict=True)]
    got = _by_code(parse(make_pdf(items)).results)
    assert (got["aflatoxin_b1"].qualifier, got["aflatoxin_b1"].value, got["aflatoxin_b1"].unit) == (
        "<",
        5.0,
        "ug/kg",
    )
    assert (got["e_coli"].qualifier, got["e_coli"].unit) == ("<", "CFU/g")
    assert got["salmonella"].qualifier == "not_detected"
    assert (got["ochratoxin_a"].value, got["ochratoxin_a"].qualifier) == (12.0, "=")


def test_out_of_scope_heading_switches_off_only_its_own_panel(
    make_pdf: Callable[..., Path],
) -> None:
    """Two stacks of panels whose rows do not line up: a ``Foreign Matter`` heading in the right
    stack switches off its own ``Mold`` row, not the metals still running in the left stack;
    the ``Microbiology`` heading below it switches the right stack back on."""
    pdf = make_pdf(
        [
            (40, 40, "Heavy Metals"),
            (40, 55, "Analyte", 8),
            (130, 55, "Result", 8),
            (190, 55, "Unit", 8),
            (40, 68, "Arsenic", 8),
            (130, 68, "0.11", 8),
            (190, 68, "ppm", 8),
            (320, 80, "Foreign Matter"),
            (320, 95, "Test", 8),
            (420, 95, "Result", 8),
            (480, 95, "Unit", 8),
            (40, 95, "Cadmium", 8),
            (130, 95, "0.02", 8),
            (190, 95, "ppm", 8),
            (320, 108, "Mold", 8),
            (420, 108, "1.2", 8),
            (480, 108, "%", 8),
            (40, 108, "Lead", 8),
            (130, 108, "0.30", 8),
            (190, 108, "ppm", 8),
            (40, 121, "Mercury", 8),
            (130, 121, "0.01", 8),
            (190, 121, "ppm", 8),
            (320, 130, "Microbiology"),
            (320, 145, "Test", 8),
            (420, 145, "Result", 8),
            (480, 145, "Unit", 8),
            (320, 158, "Yeast and Mold", 8),
            (420, 158, "200", 8),
            (480, 158, "CFU/g", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"arsenic", "cadmium", "lead", "mercury", "yeast_and_mold"}
    assert got["lead"].value == pytest.approx(0.30)
    assert got["yeast_and_mold"].value == 200.0


def test_horizontal_panel_beside_another_stack(make_pdf: Callable[..., Path]) -> None:
    """A horizontal micro panel in the right stack while the left stack's lines run between its
    names and its values; its abbreviations are defined on the line of the left stack's
    ``Foreign Matter`` heading, which still closes the left panel (its ``Mould`` row)."""
    pdf = make_pdf(
        [
            (36, 40, "Terpenes", 9),
            (36, 55, "Limonene", 8),
            (200, 55, "0.38 %", 8),
            (420, 50, "Microbiology (CFU/g)", 9),
            (440, 66, "TVC", 8),
            (510, 66, "YM", 8),
            (560, 66, "E.coli", 8),
            (36, 70, "beta-Myrcene", 8),
            (200, 70, "0.82 %", 8),
            (436, 80, "6.2E+03", 8),
            (508, 80, "<10", 8),
            (560, 80, "neg.", 8),
            (36, 95, "FOREIGN MATTER", 9),
            (420, 95, "TVC: total viable count (aerobic plate count); YM = yeasts and moulds", 6.5),
            (36, 110, "Mould (visible)", 8),
            (200, 110, "Present", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"total_aerobic_count", "yeast_and_mold", "e_coli"}
    assert got["total_aerobic_count"].value == 6200.0
    assert (got["yeast_and_mold"].qualifier, got["yeast_and_mold"].value) == ("<", 10.0)
    assert got["e_coli"].qualifier == "not_detected"


def test_presence_call_under_a_count_column_title_stays_a_presence_call(
    make_pdf: Callable[..., Path],
) -> None:
    """Only a unit printed on the row makes ``ND`` a count: under a panel-wide ``Result (CFU/g)``
    title, ``E. coli  Not Detected`` is the presence call the row prints."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (200, 60, "Result (CFU/g)"),
            (320, 60, "Status"),
            (40, 75, "Total Coliforms"),
            (200, 75, "120"),
            (320, 75, "Pass"),
            (40, 90, "Escherichia coli"),
            (200, 90, "Not Detected"),
            (320, 90, "Pass"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["e_coli"].qualifier, got["e_coli"].unit) == ("not_detected", None)
    assert got["total_coliforms"].value == 120.0


def test_genus_mark_inside_a_merged_title_cell(make_pdf: Callable[..., Path]) -> None:
    """``Total coliforms g. Salmonella`` printed close enough to merge into one cell: the genus
    mark opens the next organism's name."""
    pdf = make_pdf(
        [
            (80, 60, "Coliforms", 8),
            (118, 60, "g. Salmonella", 8),
            (230, 60, "E. coli", 8),
            (85, 74, "240", 8),
            (124, 74, "negative", 8),
            (232, 74, "<10", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert got["total_coliforms"].value == 240.0
    assert got["salmonella"].qualifier == "not_detected"
    assert (got["e_coli"].qualifier, got["e_coli"].value) == ("<", 10.0)


def test_log_unit_split_over_two_words_of_a_title(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (73, 60, "Analyte", 8),
            (181, 60, "LOQ", 8),
            (223, 60, "Result", 8),
            (265, 60, "Status", 8),
            (170, 70, "(log CFU/g)", 7),
            (217, 70, "(log CFU/g)", 7),
            (40, 82, "Total Aerobic Count", 7),
            (182, 82, "1.00", 7),
            (229, 82, "5.48", 7),
            (271, 82, "PASS", 7),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert got["total_aerobic_count"].value == pytest.approx(10**5.48, rel=1e-3)


def test_horizontal_names_on_the_line_of_a_row_beside_them(make_pdf: Callable[..., Path]) -> None:
    """The names of a horizontal panel share their line with a row of the left stack (and the
    values line with another): both panels are read, neither lends the other a value."""
    pdf = make_pdf(
        [
            (36, 40, "Heavy Metals", 9),
            (36, 55, "Analyte", 8),
            (150, 55, "Result", 8),
            (200, 55, "Unit", 8),
            (420, 40, "Microbiology (CFU/g)", 9),
            (36, 68, "Lead", 8),
            (150, 68, "0.21", 8),
            (200, 68, "ppm", 8),
            (445, 68, "TAMC", 8),
            (510, 68, "Coliforms", 8),
            (580, 68, "E. coli", 8),
            (36, 81, "Cadmium", 8),
            (150, 81, "ND", 8),
            (200, 81, "ppm", 8),
            (440, 81, "2.1 x 10^5", 8),
            (515, 81, "<50", 8),
            (578, 81, "negative", 8),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert set(got) == {"lead", "cadmium", "total_aerobic_count", "total_coliforms", "e_coli"}
    assert got["lead"].value == pytest.approx(0.21)
    assert got["cadmium"].qualifier == "nd"
    assert got["total_aerobic_count"].value == 210000.0
    assert (got["total_coliforms"].qualifier, got["total_coliforms"].value) == ("<", 50.0)
    assert got["e_coli"].qualifier == "not_detected"


@pytest.mark.parametrize(
    "limit_title", ["Max", "NMT", "Tolerance", "Specification", "Action Level"]
)
def test_limit_column_titles_without_a_result_title(
    make_pdf: Callable[..., Path], limit_title: str
) -> None:
    """``Analyte | Max | Lot 24-118 | Units``: the result column is titled with the sample's name,
    which names no column role; the limit column before it is still never the result."""
    pdf = make_pdf(
        [
            (40, 60, "Analyte"),
            (160, 60, limit_title),
            (260, 60, "Lot 24-118"),
            (330, 60, "Units"),
            (40, 75, "Lead"),
            (160, 75, "1.0"),
            (260, 75, "ND"),
            (330, 75, "ppm"),
            (40, 90, "Aflatoxin B1"),
            (160, 90, "20.0 ppb"),
            (260, 90, "<LOD"),
            (330, 90, "ppb"),
            (40, 105, "Cadmium"),
            (160, 105, "0.5"),
            (260, 105, "0.12"),
            (330, 105, "ppm"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["lead"].qualifier, got["lead"].value) == ("nd", None)
    assert (got["aflatoxin_b1"].qualifier, got["aflatoxin_b1"].value) == ("<", None)
    assert got["cadmium"].value == pytest.approx(0.12)
