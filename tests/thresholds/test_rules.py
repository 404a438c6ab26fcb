"""Every rule kind against every qualifier, table-driven."""

from __future__ import annotations

import math

import pytest

from registry.thresholds import Defaults, LabResult, ProductInfo
from registry.thresholds.rules import INF, OPERATORS, Bounds, next_state, tidy
from tests.thresholds.builders import make_rule, outcome, res, state

# --- next_state -------------------------------------------------------------------

NEXT_STATE = [
    # op, bounds, limit, expected
    ("<=", Bounds(1, 1), 1, "pass"),
    ("<", Bounds(1, 1), 1, "fail"),
    ("<=", Bounds(0, 1, hi_open=True), 1, "pass"),
    ("<", Bounds(0, 1, hi_open=True), 1, "pass"),  # "<1" meets "< 1"
    ("<=", Bounds(0, 2, hi_open=True), 1, "unknown"),
    ("<=", Bounds(1, INF, lo_open=True), 1, "fail"),  # ">1" breaks "<= 1"
    ("<", Bounds(1, INF, lo_open=True), 1, "fail"),
    ("<=", Bounds(0.5, INF, lo_open=True), 1, "unknown"),
    ("<=", Bounds(0, INF), 1, "unknown"),
    ("<=", Bounds(0, 0), 0, "pass"),
]


@pytest.mark.parametrize(("op", "bounds", "limit", "expected"), NEXT_STATE)
def test_next_state(op: str, bounds: Bounds, limit: float, expected: str) -> None:
    assert next_state(op, bounds, limit) == expected


@pytest.mark.parametrize("op", sorted(OPERATORS))
@pytest.mark.parametrize("value", [0.0, 0.5, 0.999, 1.0, 1.001, 7.0])
def test_exact_values_follow_the_operator(op: str, value: float) -> None:
    expected = "pass" if OPERATORS[op](value, 1.0) else "fail"
    assert next_state(op, Bounds(value, value), 1.0) == expected


def test_tidy_removes_float_noise() -> None:
    assert 0.7 * 2.5 * 4 != 7.0 or tidy(0.7 * 2.5 * 4) == 7.0
    assert tidy(0.1 + 0.2) == 0.3
    assert math.isinf(tidy(INF))


def test_ratio_bounds_with_an_open_denominator() -> None:
    ratio = Bounds(0.01, 0.01).over(Bounds(0, 0.5, hi_open=True))
    assert (ratio.lo, ratio.hi, ratio.lo_open) == (0.02, INF, True)
    assert Bounds(0, 0).over(Bounds(0, 0)) == Bounds(0, 0)


# --- max ---------------------------------------------------------------------------

MAX_LE = make_rule("max", analyte="lead", limit=1.0, unit="ug/g", op="<=")
MAX_LT = make_rule("max", analyte="lead", limit=1.0, unit="ug/g", op="<")

MAX_CASES = [
    # qualifier, value, loq, unit, expected under "<= 1 ug/g"
    ("=", 0.5, None, "ug/g", "pass"),
    ("=", 1.0, None, "ug/g", "pass"),
    ("=", 1.5, None, "ug/g", "fail"),
    ("<", 0.5, None, "ug/g", "pass"),
    ("<", 1.0, None, "ug/g", "pass"),  # "<LOQ" at the limit
    ("<", 2.0, None, "ug/g", "unknown"),  # "<LOQ" above the limit: never a pass
    ("<", None, 0.5, "ug/g", "pass"),  # "<LOQ" with the row's LOQ
    ("<", None, 2.0, "ug/g", "unknown"),
    ("<", None, None, "ug/g", "unknown"),
    ("nd", None, None, "ug/g", "unknown"),  # no printed LOQ, no method LOQ: proves nothing
    ("nd", None, 0.5, "ug/g", "pass"),
    ("nd", None, 1.0, "ug/g", "pass"),
    ("nd", None, 2.0, "ug/g", "unknown"),  # ND by a method blind to the limit
    ("not_detected", None, None, None, "pass"),
    ("not_detected", 38.0, None, "Ct", "pass"),  # a PCR Ct value with the call
    ("detected", None, None, None, "unknown"),
    ("detected", 24.0, None, "Ct", "unknown"),
    (">", 2.0, None, "ug/g", "fail"),
    (">", 1.0, None, "ug/g", "fail"),
    (">", 0.5, None, "ug/g", "unknown"),
    (">", None, None, "ug/g", "unknown"),
    ("=", None, None, "ug/g", "unknown"),
    ("=", 500, None, "ppb", "pass"),
    ("=", 1500, None, "ng/g", "fail"),
    ("=", 1.0, None, "mg/kg", "pass"),
    ("=", 0.8, None, "µg/g", "pass"),
    ("=", 0.5, None, "mg/serving", "unknown"),  # unit mismatch
    ("=", 0.5, None, "CFU/g", "unknown"),
    ("=", 0.5, None, None, "unknown"),  # a number without a unit
    ("~", 0.5, None, "ug/g", "unknown"),  # not a contract qualifier
]


@pytest.mark.parametrize(("qualifier", "value", "loq", "unit", "expected"), MAX_CASES)
def test_max(
    qualifier: str, value: float | None, loq: float | None, unit: str | None, expected: str
) -> None:
    result = res("lead", value, unit=unit, qualifier=qualifier, loq=loq)
    assert state(MAX_LE, [result]) == expected


STRICT_CASES = [
    ("=", 1.0, None, "fail"),
    ("=", 0.999, None, "pass"),
    ("<", 1.0, None, "pass"),
    ("<", 1.1, None, "unknown"),
    ("nd", None, 1.0, "pass"),
    (">", 1.0, None, "fail"),
    (">", 0.9, None, "unknown"),
]


@pytest.mark.parametrize(("qualifier", "value", "loq", "expected"), STRICT_CASES)
def test_max_strict(qualifier: str, value: float | None, loq: float | None, expected: str) -> None:
    assert state(MAX_LT, [res("lead", value, qualifier=qualifier, loq=loq)]) == expected


def test_max_not_tested_is_none() -> None:
    assert state(MAX_LE, [res("arsenic", 5.0)]) is None


def test_max_reports_value_unit_and_reason() -> None:
    failed = outcome(MAX_LE, [res("lead", 1.5)])
    assert failed is not None and (failed.value, failed.unit) == (1.5, "ug/g")
    assert "breaks the limit <= 1" in failed.message
    mismatch = outcome(MAX_LE, [res("lead", 0.5, unit="mg/serving")])
    assert mismatch is not None and "unit mismatch" in mismatch.details["reason"]


def test_max_on_a_composite_sums_printed_parts() -> None:
    rule = make_rule("max", analyte="yeast_and_mold", limit=100000, unit="CFU/g")
    assert state(rule, [res("yeasts", 60000), res("molds", 50000)]) == "fail"
    assert state(rule, [res("yeasts", 40000), res("molds", 10, qualifier="<")]) == "pass"
    assert state(rule, [res("yeasts", 40000)]) is None  # molds not tested: no sum
    found = outcome(rule, [res("yeasts", 60000), res("molds", 50000)])
    assert (
        found is not None and found.details["measured"]["basis"] == "sum of printed yeasts, molds"
    )


def test_printed_whole_wins_over_parts() -> None:
    rule = make_rule("max", analyte="yeast_and_mold", limit=100000, unit="CFU/g")
    batch = [res("yeast_and_mold", 900), res("yeasts", 60000), res("molds", 50000)]
    assert state(rule, batch) == "pass"


# --- absent ------------------------------------------------------------------------

ABSENT = make_rule("absent", analyte="salmonella")

ABSENT_CASES = [
    ("not_detected", None, None, "pass"),
    ("nd", None, None, "pass"),
    ("detected", None, None, "fail"),
    ("=", 0, "CFU/g", "unknown"),  # a count of zero: judged as "<10 CFU/g" is
    ("=", 40, "CFU/g", "fail"),  # a count printed for an absence test
    ("<", 10, "CFU/g", "unknown"),  # below a reporting limit is not absence
    (">", 10, "CFU/g", "fail"),
    (">", None, "CFU/g", "fail"),  # TNTC
    ("=", None, None, "unknown"),
    ("?", None, None, "unknown"),
]


@pytest.mark.parametrize(("qualifier", "value", "unit", "expected"), ABSENT_CASES)
def test_absent(qualifier: str, value: float | None, unit: str | None, expected: str) -> None:
    assert state(ABSENT, [res("salmonella", value, unit=unit, qualifier=qualifier)]) == expected


def test_absent_not_tested_is_none() -> None:
    assert state(ABSENT, [res("e_coli", qualifier="not_detected")]) is None


# --- ratio -------------------------------------------------------------------------

RATIO = make_rule(
    "ratio",
    analyte="7_hydroxymitragynine",
    denominator="total_alkaloids",
    limit=2.0,
    unit="%",
    op="<=",
)
TOTAL = res("total_alkaloids", 1.0)

RATIO_CASES = [
    # 7-OH qualifier, value, loq; total alkaloids printed as 1.0 %
    ("=", 0.02, None, "pass"),  # exactly 2 %
    ("=", 0.021, None, "fail"),
    ("<", 0.01, None, "pass"),
    ("<", 0.05, None, "unknown"),
    ("nd", None, None, "unknown"),  # no printed LOQ: the share is not bounded
    ("nd", None, 0.01, "pass"),
    ("nd", None, 0.3, "unknown"),  # a 0.3 % detection limit cannot show 2 % of 1 %
    ("not_detected", None, None, "pass"),
    (">", 0.03, None, "fail"),
    (">", 0.01, None, "unknown"),
    ("detected", None, None, "unknown"),
    ("=", None, None, "unknown"),
]


@pytest.mark.parametrize(("qualifier", "value", "loq", "expected"), RATIO_CASES)
def test_ratio(qualifier: str, value: float | None, loq: float | None, expected: str) -> None:
    seven = res("7_hydroxymitragynine", value, qualifier=qualifier, loq=loq)
    assert state(RATIO, [seven, TOTAL]) == expected


DENOMINATOR_CASES = [
    # the denominator's results, expected for 7-OH = 0.02 %
    ([res("total_alkaloids", 10.0, unit="mg/g")], "pass"),  # 1 %, converted
    ([res("total_alkaloids", 0.5, qualifier="<")], "fail"),  # fewer alkaloids: more than 4 %
    ([res("total_alkaloids", 2.0, qualifier=">")], "pass"),  # more alkaloids: less than 1 %
    ([res("total_alkaloids", qualifier="nd")], "unknown"),
    ([res("total_alkaloids", 1.0, unit="mg/serving")], "unknown"),
    ([res("mitragynine", 1.0), res("speciogynine", 0.2)], "pass"),  # 0.02 / 1.22
    ([res("mitragynine", 0.9)], "unknown"),  # at most 0.02 / 0.92 = 2.17 %: no printed total
    ([res("speciogynine", 0.9)], "unknown"),  # no total and no mitragynine
    ([], "unknown"),
]


@pytest.mark.parametrize(("denominator", "expected"), DENOMINATOR_CASES)
def test_ratio_denominator(denominator: list[LabResult], expected: str) -> None:
    assert state(RATIO, [res("7_hydroxymitragynine", 0.02), *denominator]) == expected


def test_ratio_reports_the_share_and_its_basis() -> None:
    found = outcome(RATIO, [res("7_hydroxymitragynine", 0.027), res("mitragynine", 1.773)])
    assert found is not None and found.state == "pass"
    assert (found.value, found.unit) == (1.5, "% of total_alkaloids")  # 0.027 / 1.8
    assert found.details["denominator"]["basis"].startswith("sum of printed")


def test_ratio_without_7oh_is_not_tested() -> None:
    assert state(RATIO, [TOTAL]) is None


# --- exposure ----------------------------------------------------------------------

EXPOSURE = make_rule("exposure", analyte="lead", limit=5.0, unit="ug/day", op="<=")
TEN_G = Defaults(serving_g=2.5, servings_per_day=4)
TEN_G_LABEL = ProductInfo(serving_g=2.5, servings_per_day=4)

EXPOSURE_CASES = [
    ("=", 0.5, None, "pass"),  # 5 ug/day exactly
    ("=", 0.51, None, "fail"),
    ("<", 0.5, None, "pass"),
    ("<", 0.6, None, "unknown"),
    ("nd", None, None, "unknown"),
    ("nd", None, 0.6, "unknown"),
    (">", 0.5, None, "fail"),
    (">", 0.4, None, "unknown"),
    ("detected", None, None, "unknown"),
]


@pytest.mark.parametrize(("qualifier", "value", "loq", "expected"), EXPOSURE_CASES)
def test_exposure(qualifier: str, value: float | None, loq: float | None, expected: str) -> None:
    lead = res("lead", value, qualifier=qualifier, loq=loq)
    assert state(EXPOSURE, [lead], TEN_G_LABEL) == expected


def test_exposure_reports_the_computed_exposure() -> None:
    found = outcome(EXPOSURE, [res("lead", 0.7)], TEN_G_LABEL)
    assert found is not None and found.state == "fail"
    assert (found.value, found.unit, found.details["daily_intake_g"]) == (7.0, "ug/day", 10.0)
    assert found.details["intake_basis"] == "product"
    assert "0.7 ug/g x 10 g/day = 7 ug/day" in found.message


@pytest.mark.parametrize(
    ("product", "lead", "expected", "basis"),
    [
        (ProductInfo(serving_g=1, servings_per_day=3), 1.5, "pass", "product"),  # 4.5 ug/day
        (ProductInfo(serving_g=1, servings_per_day=3), 1.7, "fail", "product"),  # 5.1 ug/day
        # half a label: the profile's default servings a day are never filled in
        (ProductInfo(serving_g=5), 0.2, "unknown", "serving_g: product; servings_per_day: unknown"),
        (ProductInfo(serving_g=5), 0.3, "unknown", "serving_g: product; servings_per_day: unknown"),
    ],
)
def test_exposure_uses_the_product_label(
    product: ProductInfo, lead: float, expected: str, basis: str
) -> None:
    found = outcome(EXPOSURE, [res("lead", lead)], product, TEN_G)
    assert found is not None and (found.state, found.details["intake_basis"]) == (expected, basis)


def test_exposure_without_any_intake_is_unknown_unless_zero() -> None:
    assert state(EXPOSURE, [res("lead", 0.1)]) == "unknown"
    assert state(EXPOSURE, [res("lead", qualifier="not_detected")]) == "pass"
    assert state(EXPOSURE, [res("lead", qualifier="nd")]) == "unknown"  # no LOQ printed


def test_exposure_unit_mismatch_is_unknown() -> None:
    assert state(EXPOSURE, [res("lead", 0.1, unit="CFU/g")], TEN_G_LABEL) == "unknown"


def test_exposure_limit_in_mg_per_day() -> None:
    rule = make_rule("exposure", analyte="lead", limit=0.005, unit="mg/day")
    assert state(rule, [res("lead", 0.5)], TEN_G_LABEL) == "pass"
    assert state(rule, [res("lead", 0.51)], TEN_G_LABEL) == "fail"


# --- per_serving -------------------------------------------------------------------

PER_SERVING = make_rule(
    "per_serving", analyte="7_hydroxymitragynine", limit=1.0, unit="mg/serving", op="<="
)
FIVE_G = ProductInfo(serving_g=5)

PER_SERVING_CASES = [
    # 7-OH in % at a 5 g serving: 0.02 % = 0.2 mg/g = 1 mg per serving
    ("=", 0.02, None, "%", "pass"),
    ("=", 0.021, None, "%", "fail"),
    ("=", 0.2, None, "mg/g", "pass"),
    ("<", 0.02, None, "%", "pass"),
    ("<", 0.03, None, "%", "unknown"),
    ("nd", None, None, "%", "unknown"),
    ("nd", None, 0.3, "%", "unknown"),
    (">", 0.02, None, "%", "fail"),
    (">", 0.01, None, "%", "unknown"),
    ("=", 0.8, None, "mg/serving", "pass"),  # printed per serving: no serving size needed
    ("=", 1200, None, "ug/serving", "fail"),
    ("<", 1.0, None, "mg/serving", "pass"),
    ("=", 0.8, None, "mg/day", "unknown"),
]


@pytest.mark.parametrize(("qualifier", "value", "loq", "unit", "expected"), PER_SERVING_CASES)
def test_per_serving(
    qualifier: str, value: float | None, loq: float | None, unit: str, expected: str
) -> None:
    seven = res("7_hydroxymitragynine", value, unit=unit, qualifier=qualifier, loq=loq)
    assert state(PER_SERVING, [seven], FIVE_G) == expected


def test_per_serving_needs_a_serving_size() -> None:
    assert state(PER_SERVING, [res("7_hydroxymitragynine", 0.01)]) == "unknown"
    assert state(PER_SERVING, [res("7_hydroxymitragynine", qualifier="not_detected")]) == "pass"
    printed = res("7_hydroxymitragynine", 0.8, unit="mg/serving")
    assert state(PER_SERVING, [printed]) == "pass"


def test_per_serving_never_uses_the_profile_default_serving() -> None:
    found = outcome(
        PER_SERVING, [res("7_hydroxymitragynine", 0.02)], defaults=Defaults(serving_g=5)
    )
    assert found is not None and (found.state, found.details["serving_g"]) == ("unknown", None)
    assert found.details["assumptions"] == ["a serving size"]


# --- required ----------------------------------------------------------------------

REQUIRED = make_rule(
    "required", analytes=("lead", "salmonella", "yeast_and_mold", "total_alkaloids")
)


@pytest.mark.parametrize(
    ("results", "missing"),
    [
        (
            [
                res("lead", 0.1),
                res("salmonella", qualifier="not_detected"),
                res("yeast_and_mold", 10),
                res("total_alkaloids", 1.0),
            ],
            (),
        ),
        (
            [
                res("lead", qualifier="nd"),
                res("salmonella", qualifier="detected"),
                res("yeasts", 10),
                res("molds", 10),
                res("mitragynine", 1.0),
            ],
            (),
        ),  # parts stand in for wholes
        (
            [res("lead", 0.1), res("yeasts", 10)],
            ("salmonella", "yeast_and_mold", "total_alkaloids"),
        ),
        ([], ("lead", "salmonella", "yeast_and_mold", "total_alkaloids")),
    ],
)
def test_required(results: list[LabResult], missing: tuple[str, ...]) -> None:
    found = outcome(REQUIRED, results)
    assert found is not None
    assert (found.state, found.missing) == ("missing" if missing else "pass", missing)
