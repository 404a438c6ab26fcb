"""The vocabulary agrees with the parsers' and converts units exactly."""

from __future__ import annotations

import pytest

from parsers import vocab
from registry.thresholds.analytes import (
    ANALYTES,
    COMPOSITES,
    analyte,
    conversion_factor,
    is_presence_test,
    mass_per_gram,
    normalize_unit,
    same_unit,
)


def test_codes_and_categories_match_the_parsers_vocabulary() -> None:
    assert {c: a.category for c, a in ANALYTES.items()} == {
        c: v[0] for c, v in vocab.ANALYTES.items()
    }


def test_presence_tests_match_the_parsers() -> None:
    assert {c for c in ANALYTES if is_presence_test(c)} == set(vocab.PRESENCE)


def test_canonical_units_follow_the_contract() -> None:
    assert {ANALYTES[c].unit for c in ("mitragynine", "total_alkaloids", "moisture")} == {"%"}
    assert ANALYTES["lead"].unit == "ug/g"
    assert ANALYTES["total_aerobic_count"].unit == "CFU/g"
    assert ANALYTES["total_aflatoxins"].unit == "ug/kg"
    assert ANALYTES["water_activity"].unit == "aw"
    assert ANALYTES["salmonella"].unit is None


def test_composite_parts_are_in_the_vocabulary() -> None:
    for code, composite in COMPOSITES.items():
        assert code in ANALYTES
        assert set(composite.needs) <= set(composite.parts) <= set(ANALYTES)


def test_unknown_code_is_named() -> None:
    with pytest.raises(KeyError, match="leed"):
        analyte("leed")


@pytest.mark.parametrize(
    ("unit", "canonical"),
    [
        ("µg/g", "ug/g"),
        ("μg/g", "ug/g"),
        (" UG/G ", "ug/g"),
        ("cfu/g", "CFU/g"),
        ("% w/w", "%"),
        ("%w/w", "%"),
        ("mg / serving", "mg/serving"),
        ("furlongs", "furlongs"),
        (None, None),
    ],
)
def test_normalize_unit(unit: str | None, canonical: str | None) -> None:
    assert normalize_unit(unit) == canonical


@pytest.mark.parametrize(
    ("src", "dst", "factor"),
    [
        ("ppm", "ug/g", 1.0),
        ("mg/kg", "ug/g", 1.0),
        ("ppb", "ug/g", 0.001),
        ("ng/g", "ug/g", 0.001),
        ("mg/g", "%", 0.1),
        ("ppm", "%", 0.0001),
        ("%", "mg/g", 10.0),
        ("ug/g", "ug/kg", 1000.0),
        ("CFU/g", "cfu/g", 1.0),
        ("mg/serving", "ug/serving", 1000.0),
        ("ug/day", "mg/day", 0.001),
        ("CFU/mL", "CFU/g", None),
        ("ug/g", "CFU/g", None),
        ("mg/serving", "%", None),
        ("mg/serving", "mg/day", None),
        (None, "ug/g", None),
        ("ug/g", None, None),
    ],
)
def test_conversion_factor(src: str | None, dst: str | None, factor: float | None) -> None:
    assert conversion_factor(src, dst) == factor


def test_same_unit_only_at_the_same_scale() -> None:
    assert same_unit("mg/kg", "ug/g")
    assert not same_unit("ppb", "ug/g")


@pytest.mark.parametrize(
    ("unit", "mass", "factor"),
    [
        ("%", "mg", 10.0),
        ("%", "ug", 10000.0),
        ("ug/g", "ug", 1.0),
        ("ug/g", "mg", 0.001),
        ("ug/kg", "ug", 0.001),
        ("CFU/g", "ug", None),
        ("%", "kg", None),
    ],
)
def test_mass_per_gram(unit: str, mass: str, factor: float | None) -> None:
    assert mass_per_gram(unit, mass) == factor
