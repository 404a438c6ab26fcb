"""Numbers, qualifiers, units and unit conversion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parsers.values import Reading, normalise_unit, parse_cell, parse_number, to_canonical


@pytest.mark.parametrize(
    "text, decimal_comma, expected",
    [
        ("1.42", False, 1.42),
        ("0,12", False, 0.12),
        ("1,200", False, 1200.0),
        ("1,200", True, 1.2),
        ("12,000", False, 12000.0),
        ("1.2E+04", False, 12000.0),
        ("1.2 x 10^4", False, 12000.0),
        ("1.2×10^4", False, 12000.0),
        ("9,6.104", True, 96000.0),  # flattened superscript 9,6.10⁴
        ("9,6.10^4", True, 96000.0),
        ("10^5", False, 100000.0),
        (".660", False, 0.66),
        ("1,234.5", False, 1234.5),
        ("1.234,5", False, 1234.5),
        ("abc", False, None),
        ("03/04/2025", False, None),
    ],
)
def test_parse_number(text: str, decimal_comma: bool, expected: float | None) -> None:
    got = parse_number(text, decimal_comma)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ND", Reading("nd", None)),
        ("Not Detected", Reading("nd", None)),
        ("<LOQ", Reading("loq", None)),
        ("< LOQ", Reading("loq", None)),
        ("<LLOQ", Reading("loq", None)),
        ("< 10", Reading("<", 10.0)),
        ("<2,0", Reading("<", 2.0)),
        ("TNTC", Reading(">", None)),
        (">1500", Reading(">", 1500.0)),
        ("Absent", Reading("not_detected", None)),
        ("Absence in 1g", Reading("not_detected", None)),
        ("Not Detected/25g", Reading("not_detected", None)),
        ("Negative", Reading("not_detected", None)),
        ("Not Present", Reading("not_detected", None)),
        ("Present", Reading("detected", None)),
        ("Positive", Reading("detected", None)),
        ("0.23 µg/g", Reading("=", 0.23, "ug/g")),
        ("11.58%", Reading("=", 11.58, "%")),
        ("N/A", None),
        ("NR", None),
        ("-", None),
    ],
)
def test_parse_cell(text: str, expected: Reading | None) -> None:
    assert parse_cell(text) == expected


@pytest.mark.parametrize(
    "unit, expected",
    [
        ("%", "%"),
        ("% w/w", "%"),
        ("% hm.", "%"),
        ("mg/g", "mg/g"),
        ("µg/g", "ug/g"),
        ("ug/g", "ug/g"),
        ("mcg/g", "ug/g"),
        ("ppm", "ppm"),
        ("ppb", "ppb"),
        ("µg/kg", "ug/kg"),
        ("CFU/g", "CFU/g"),
        ("log CFU/g", "log CFU/g"),
        ("(ppb)", "ppb"),
        ("mg/Tablet", "mg/serving"),
        ("furlongs", None),
    ],
)
def test_normalise_unit(unit: str, expected: str | None) -> None:
    assert normalise_unit(unit) == expected


@pytest.mark.parametrize(
    "code, category, value, unit, expected",
    [
        ("mitragynine", "alkaloid", 14.2, "mg/g", (1.42, "%")),
        ("mitragynine", "alkaloid", 1.5, "%", (1.5, "%")),
        ("mitragynine", "alkaloid", 15000, "ppm", (1.5, "%")),
        ("lead", "heavy_metal", 230, "ppb", (0.23, "ug/g")),
        ("lead", "heavy_metal", 0.64, "mg/kg", (0.64, "ug/g")),
        ("aflatoxin_b1", "mycotoxin", 0.005, "ug/g", (5.0, "ug/kg")),
        ("aflatoxin_b1", "mycotoxin", 0.002, "ppm", (2.0, "ug/kg")),
        ("total_aerobic_count", "microbial", 4.0, "log CFU/g", (10000.0, "CFU/g")),
        ("water_activity", "physical", 0.43, "aw", (0.43, "aw")),
        ("moisture", "physical", 12.4, "%", (12.4, "%")),
        ("mitragynine", "alkaloid", 20, "mg/serving", None),
    ],
)
def test_to_canonical(
    code: str, category: str, value: float, unit: str, expected: tuple[float, str] | None
) -> None:
    got = to_canonical(code, category, value, unit)
    if expected is None:
        assert got is None
    else:
        assert got is not None and got[1] == expected[1] and got[0] == pytest.approx(expected[0])


def test_implausible_exponent_is_no_number() -> None:
    assert parse_number("6.9 x 1073") is None
    assert parse_number("6.9 x 10^3") == pytest.approx(6900.0)


@pytest.mark.parametrize(
    "text", ["negativ/25 g", "negativ", "nepřítomno v 25 g", "Ausencia en 25 g"]
)
def test_absence_words_ending_like_a_preposition(text: str) -> None:
    reading = parse_cell(text)
    assert reading is not None and reading.qualifier == "not_detected"


def test_method_numbers_do_not_decide_the_decimal_mark(make_pdf: Callable[..., Path]) -> None:
    """``AOAC 2003.09`` and ``1.0E+06`` are written alike everywhere; ``0,50 µg/kg`` decides."""
    from parsers.layouts.generic import uses_decimal_comma
    from parsers.pdf import read_bytes, read_pdf

    rows = [
        ("Aflatoxina B1", "AOAC 2008.02", "3,6 µg/kg", "1.0E+06"),
        ("Aflatoxina B2", "AOAC 2008.02", "0,50 µg/kg", "-"),
        ("Salmonella", "AOAC 2003.09", "Ausencia/25 g", "-"),
        ("Recuento", "BAM Ch. 3", "4.900 UFC/g", "1.0E+06"),
    ]
    items = [
        (x, 100 + 15 * r, t)
        for r, row in enumerate(rows)
        for x, t in zip((40, 160, 300, 420), row, strict=True)
    ]
    assert uses_decimal_comma(read_pdf(read_bytes(make_pdf(items))))


def test_an_impossible_log_count_is_not_converted() -> None:
    assert to_canonical("yeasts", "microbial", 371.0, "log CFU/g") is None  # 10^371 would overflow
    assert to_canonical("yeasts", "microbial", 3.71, "log CFU/g") == (5128.613839914, "CFU/g")
