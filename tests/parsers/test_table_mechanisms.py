"""Results-table mechanisms of issue 8, each on a small reportlab PDF: limit columns, table and
panel scope, horizontal tables without row titles, things that are not results, censored
counts and units that are not a mass fraction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import Result, parse


def _by_code(results: tuple[Result, ...]) -> dict[str, Result]:
    return {r.analyte: r for r in results}


# --- 10: limit columns -----------------------------------------------------------------


def test_limit_column_with_its_unit_below_is_not_the_result(make_pdf: Callable[..., Path]) -> None:
    """``Action Limit`` with ``ppb`` printed a little right of it on the unit line: the limit
    keeps its column; the row's result is its ``ND``."""
    pdf = make_pdf([
        (45, 60, "Analyte", 7), (150, 60, "Action Limit", 7), (208, 60, "LOD", 7), (242, 60, "Results", 7),
        (280, 60, "Status", 7),
        (177, 69, "ppb", 7), (209, 69, "ppb", 7), (245, 69, "ppb", 7),
        (45, 80, "Aflatoxin B1", 7), (172, 80, "20.0", 7), (218, 80, "2", 7), (254, 80, "ND", 7), (280, 80, "Pass", 7),
        (45, 90, "Ochratoxin A", 7), (172, 90, "20.0", 7), (218, 90, "2", 7), (254, 90, "3.1", 7), (280, 90, "Pass", 7),
    ])
    got = _by_code(parse(pdf).results)
    assert (got["aflatoxin_b1"].qualifier, got["aflatoxin_b1"].value) == ("nd", None)
    assert (got["ochratoxin_a"].qualifier, got["ochratoxin_a"].value, got["ochratoxin_a"].unit) == ("=", 3.1, "ug/kg")


# --- 5: horizontal tables without row titles ---------------------------------------------


def test_horizontal_table_without_row_titles(make_pdf: Callable[..., Path]) -> None:
    """Analytes as column titles over one row of values; abbreviations defined in a footnote;
    a genus mark before the organism; the unit in the heading."""
    pdf = make_pdf([
        (40, 40, "Microbiological examination"),
        (80, 60, "TPC"), (170, 60, "yeasts"), (250, 60, "moulds"), (330, 60, "E.coli"), (410, 60, "g. Salmonella"),
        (70, 74, "2,4.10^4"), (172, 74, "<50"), (254, 74, "<50"), (334, 74, "<10"), (418, 74, "negative"),
        (40, 100, "Heavy metals (mg/kg)"),
        (80, 120, "Pb"), (170, 120, "Cd"), (250, 120, "Hg"),
        (74, 134, "0,12"), (164, 134, "<0,01"), (244, 134, "0,004"),
        (40, 170, "Abbreviations: TPC – total plate count at 30 °C; CFU – colony forming units.", 7),
    ])
    got = _by_code(parse(pdf).results)
    assert (got["total_aerobic_count"].value, got["total_aerobic_count"].unit) == (24000.0, "CFU/g")
    assert (got["yeasts"].qualifier, got["yeasts"].value) == ("<", 50.0)
    assert (got["molds"].qualifier, got["molds"].value) == ("<", 50.0)
    assert (got["e_coli"].qualifier, got["e_coli"].value, got["e_coli"].unit) == ("<", 10.0, "CFU/g")
    assert got["salmonella"].qualifier == "not_detected"
    assert (got["lead"].value, got["lead"].unit) == (pytest.approx(0.12), "ug/g")
    assert (got["cadmium"].qualifier, got["cadmium"].value) == ("<", pytest.approx(0.01))
    assert got["mercury"].value == pytest.approx(0.004)
    assert len(got) == 8


def test_horizontal_row_needs_its_values_under_the_names(make_pdf: Callable[..., Path]) -> None:
    """A line of names followed by numbers that stand under none of them is no table."""
    pdf = make_pdf([
        (80, 60, "Lead"), (250, 60, "Cadmium"),
        (150, 74, "12"), (330, 74, "2024"),
    ])
    assert parse(pdf).results == ()


def test_abbreviation_defined_only_by_the_document(make_pdf: Callable[..., Path]) -> None:
    """``CPM`` names nothing by itself; the document's footnote defines it. A value word
    (``ND = Not Detected``) is never made an analyte by a definition beside it."""
    pdf = make_pdf([
        (40, 60, "Analyte"), (200, 60, "Result"), (280, 60, "Unit"),
        (40, 75, "CPM"), (200, 75, "3.2 x 10^3"), (280, 75, "CFU/g"),
        (40, 90, "Salmonella"), (200, 90, "ND"), (280, 90, "/25 g"),
        (40, 130, "CPM = colony count of aerobic mesophilic microorganisms", 7),
        (40, 140, "ND = Not Detected. Salmonella tested by PCR", 7),
    ])
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
    pdf = make_pdf([
        (40, 60, "Analyte", 7), (120, 60, "LOD", 7), (160, 60, "Results", 7), (210, 60, "Status", 7),
        (300, 60, "Analyte", 7), (420, 60, "LOD", 7), (460, 60, "Results", 7), (520, 60, "Status", 7),
        (40, 72, "Lead", 7), (120, 72, "20", 7), (160, 72, "ND", 7), (210, 72, "Pass", 7),
        (300, 72, "Salmonella", 7), (420, 72, "1", 7), (460, 72, "Absent in 1 gram", 7), (530, 72, "Pass", 7),
        (40, 84, "LOD = Limit of Detection.", 7),
        (300, 84, "Shiga Toxin producing E. Coli", 7), (420, 84, "1", 7), (460, 84, "Absent in 1 gram", 7),
        (530, 84, "Pass", 7),
        (40, 96, "Cadmium", 7), (120, 96, "20", 7), (160, 96, "41", 7), (210, 96, "Pass", 7),
        (300, 96, "Unless otherwise stated all quality control samples passed.", 7),
    ])
    got = _by_code(parse(pdf).results)
    assert got["lead"].qualifier == "nd"
    assert got["salmonella"].qualifier == "not_detected"
    assert got["stec"].qualifier == "not_detected"
    assert (got["cadmium"].value, got["cadmium"].qualifier) == (41.0, "=")
