"""Small synthetic PDFs through the whole pipeline: tables, headings, narrative, metadata, QC."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse
from parsers.metadata import to_iso


def _by_code(doc_results: tuple) -> dict:  # type: ignore[type-arg]
    return {r.analyte: r for r in doc_results}


def test_table_with_header_units_and_status(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (50, 40, "Example Analytical Labs"),
            (50, 60, "Client: Example Botanicals LLC"),
            (50, 75, "Product: Red Bali Kratom Powder"),
            (50, 90, "Batch: RB-2024-0117"),
            (50, 105, "Date Received: 01/17/2024"),
            (50, 140, "Heavy Metals (ppm)"),
            (50, 160, "Analyte"),
            (200, 160, "LOQ"),
            (280, 160, "Result"),
            (360, 160, "Status"),
            (50, 175, "Lead"),
            (200, 175, "0.05"),
            (280, 175, "0.23"),
            (360, 175, "Pass"),
            (50, 190, "Cadmium"),
            (200, 190, "0.05"),
            (280, 190, "<LOQ"),
            (360, 190, "Pass"),
            (50, 205, "Chlordane"),
            (200, 205, "0.05"),
            (280, 205, "0.10"),
            (360, 205, "Pass"),
            (50, 240, "Analyte"),
            (200, 240, "LOQ (%)"),
            (280, 240, "Result (mg/g)"),
            (380, 240, "Status"),
            (50, 255, "Mitragynine"),
            (200, 255, "0.01"),
            (280, 255, "14.2"),
            (380, 255, "Pass"),
        ]
    )
    doc = parse(pdf)
    got = _by_code(doc.results)
    assert set(got) == {"lead", "cadmium", "mitragynine"}
    assert (got["lead"].value, got["lead"].unit, got["lead"].lab_status) == (0.23, "ug/g", "pass")
    assert (got["cadmium"].qualifier, got["cadmium"].value) == ("<", 0.05)
    assert got["mitragynine"].value == pytest.approx(1.42) and got["mitragynine"].unit == "%"
    assert got["lead"].page == 1 and got["lead"].bbox is not None and "Lead" in got["lead"].raw
    assert doc.vendor == "Example Botanicals LLC" and doc.batch == "RB-2024-0117"
    assert doc.dates.received == "2024-01-17"


def test_narrative_lines(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (50, 60, "Lead (Pb): 0.23 µg/g (LOQ 0.05)"),
            (50, 80, "Salmonella: Absent in 25 g"),
            (50, 100, "Total Yeast and Mold: <10 CFU/g"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["lead"].value, got["lead"].loq, got["lead"].qualifier) == (0.23, 0.05, "=")
    assert (got["salmonella"].qualifier, got["salmonella"].unit) == ("not_detected", None)
    assert (got["yeast_and_mold"].qualifier, got["yeast_and_mold"].value) == ("<", 10.0)


def test_czech_protocol(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (50, 40, "Zákazník: Vivadzen s.r.o."),
            (50, 60, "Analyt"),
            (150, 60, "Výsledek"),
            (230, 60, "Jednotky"),
            (310, 60, "Hodnocení"),
            (50, 75, "olovo"),
            (150, 75, "0,64"),
            (230, 75, "mg/kg"),
            (310, 75, "V"),
            (50, 90, "mitragynin"),
            (150, 90, "1,5"),
            (230, 90, "% hm."),
            (310, 90, "X"),
            (50, 105, "kvasinky"),
            (150, 105, "9,6.10^4"),
            (230, 105, "KTJ/g"),
            (310, 105, "X"),
        ]
    )
    got = _by_code(parse(pdf).results)
    assert (got["lead"].value, got["lead"].lab_status) == (0.64, "pass")
    assert (got["mitragynine"].value, got["mitragynine"].lab_status) == (1.5, None)


def test_qc_table_is_skipped(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (50, 40, "Analyte"),
            (200, 40, "Result"),
            (300, 40, "QC recovery (%)"),
            (50, 55, "Lead (Pb)"),
            (200, 55, "2.91"),
            (300, 55, "97%"),
        ]
    )
    assert parse(pdf).results == ()


def test_not_tested_panel_reports_nothing(make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(
        [
            (50, 40, "HEAVY METALS   NOT TESTED"),
            (50, 60, "Analyte"),
            (200, 60, "Result"),
            (300, 60, "Status"),
            (50, 75, "Lead"),
            (200, 75, "N/A"),
            (50, 90, "Arsenic"),
            (200, 90, "N/A"),
        ]
    )
    assert parse(pdf).results == ()


@pytest.mark.parametrize(
    "text, day_first, expected",
    [
        ("16.1.2026", False, "2026-01-16"),
        ("09/08/2023 12:15", False, "2023-09-08"),
        ("5 November 2021", False, "2021-11-05"),
        ("2022-05-02", False, "2022-05-02"),
        ("Jan 13, 2025", False, "2025-01-13"),
        ("16.1.2026 - 22.1.2026", True, "2026-01-16"),
        ("nothing", False, None),
    ],
)
def test_dates(text: str, day_first: bool, expected: str | None) -> None:
    assert to_iso(text, day_first) == expected


def test_date_range_last() -> None:
    assert to_iso("16.1.2026 - 22.1.2026", True, last=True) == "2026-01-22"
