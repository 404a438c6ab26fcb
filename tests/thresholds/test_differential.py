"""Differential tests: the engine against the frozen oracle, and against the old engine.

Two comparisons on random batches (analytes the shipped profiles read and their parts,
every qualifier and some unknown ones, odd unit spellings, missing values and LOQs,
several certificates with dates, product facts or none), for every shipped profile and
random valid profiles:

* ``evaluate`` (one implementation of each rule kind, profiles prepared once into
  per-rule judges) must give exactly the verdict of ``tests/thresholds/reference_impl``,
  a frozen copy of the engine's plain evaluation from before the fast path and the plain
  path were made one (issue 10): compared as ``repr`` of the ``Verdict`` and of
  ``to_dict()``, so key order, wording, tuple-vs-list and ``1`` vs ``1.0`` vs ``-0.0``
  all count; an input on which one raises must raise the same exception in the other.
* ``tests/thresholds/reference_pre12`` is a frozen copy of the engine as it was before
  issue 12 ("fair verdicts"). Its semantics intentionally differ from today's (it
  judged exposures on a profile's default intake, took an ND without an LOQ as zero,
  divided 7-OH by a partial sum of alkaloids, let unverified rules and total arsenic
  fail, let a retest erase a positive), so it is no oracle of equality. What still
  holds, and is checked: the engine never fails a rule the reference did not fail
  (every change only turns unproven fails into inconclusive ones, or lets a value equal
  to a "does not exceed" limit pass), except one case outside that: a presence test
  with an earlier positive that a negative retest does not clear, which the reference
  passed and which now keeps failing (the entry carries ``retest``). And the engine
  raises only where the reference raises.

``THRESHOLDS_DIFF_EXAMPLES=20000 .venv/bin/pytest tests/thresholds/test_differential.py``
runs a longer search.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from registry.thresholds import (
    ANALYTES,
    COMPOSITES,
    LabResult,
    ProductInfo,
    Profile,
    ProfileError,
    evaluate,
    latest_results,
    profile_from_dict,
)
from registry.thresholds.analytes import mass_per_gram
from registry.thresholds.evaluate import prepared
from registry.thresholds.model import QUALIFIERS
from tests.thresholds import reference_impl, reference_pre12
from tests.thresholds.builders import clean_batch, make_profile, make_rule, res, shipped

EXAMPLES = int(os.environ.get("THRESHOLDS_DIFF_EXAMPLES", "300"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEWER = settings(SETTINGS, max_examples=max(EXAMPLES // 3, 50))

PROFILES = [shipped()[code] for code in sorted(shipped())]


def _profile_codes(profile: Profile) -> set[str]:
    codes: set[str] = set()
    for rule in profile.rules:
        codes.update(c for c in (rule.analyte, rule.denominator) if c)
        codes.update(rule.analytes)
    for code in list(codes):
        if code in COMPOSITES:
            codes.update(COMPOSITES[code].parts)
    return codes


#: What the shipped profiles read, the parts of composites, a few others and an unknown code.
CODES = sorted(
    set().union(*(_profile_codes(p) for p in PROFILES))
    | {"nickel", "stec", "moisture", "water_activity", "ochratoxin_a", "not_a_code"}
)

UNITS = [
    None,
    "",
    "%",
    "% w/w",
    "%(w/w)",
    " % ",
    "mg/g",
    "ug/g",
    "µg/g",
    "μg/g",
    "ppm",
    "PPM",
    "mg/kg",
    " mg / kg ",
    "ug/kg",
    "ppb",
    "ng/g",
    "CFU/g",
    "cfu/g",
    "CFU/mL",
    "aw",
    "mg/serving",
    "ug/serving",
    "MG/Serving",
    "mg/day",
    "ug/day",
    "bogus",
    "log cfu/g",
]
#: Qualifiers of the contract, plus spellings the contract does not have.
ALL_QUALIFIERS = [*QUALIFIERS, "ND", "<=", "~", ""]


def _interesting_numbers() -> list[float]:
    """Limits of the shipped profiles on the scales results are printed in, and just
    either side of them (where ``tidy``'s 12 digits and strict operators matter)."""
    out = {0.0, -0.0, 1.0, 10.0, 0.5, 1e-9, 1e9, 0.1 + 0.2, 1 / 3}
    for profile in PROFILES:
        for rule in profile.rules:
            if rule.limit is None:
                continue
            for k in (1, 10, 100, 1000, 1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 0.25, 0.4, 0.04, 0.018):
                x = rule.limit * k
                out.update(
                    {x, x * (1 + 1e-13), x * (1 - 1e-13), x * (1 + 1e-9), math.nextafter(x, 0)}
                )
    return sorted(out, key=lambda v: (v, math.copysign(1, v)))


NUMBERS: st.SearchStrategy[float | int | None] = st.one_of(
    st.none(),
    st.sampled_from(_interesting_numbers()),
    st.floats(0, 100, allow_nan=False, allow_subnormal=False),
    st.floats(0, 1e9, allow_nan=False),
    st.integers(0, 10**8),
    st.sampled_from([math.inf, math.nan, -1.0, 1e300, 5e-324]),
)
DATES = st.none() | st.sampled_from(
    [date(2023, 5, 1), date(2024, 1, 10), date(2024, 1, 11), date(2024, 2, 10)]
)


@st.composite
def lab_results(draw: st.DrawFn) -> LabResult:
    code = draw(st.sampled_from(CODES))
    canonical = ANALYTES[code].unit if code in ANALYTES else None
    unit = draw(st.sampled_from([canonical, canonical, *UNITS]))
    return LabResult(
        analyte=code,
        category=draw(st.none() | st.sampled_from(["alkaloid", "heavy_metal", "microbial"])),
        value=draw(NUMBERS),
        unit=unit,
        qualifier=draw(st.sampled_from(ALL_QUALIFIERS)),
        loq=draw(st.none() | NUMBERS),
        certificate_id=draw(st.none() | st.integers(1, 4)),
        tested=draw(DATES),
    )


@st.composite
def batches(draw: st.DrawFn) -> list[LabResult]:
    """Either random results, or a clean batch with some results replaced or dropped,
    spread over one to three certificates."""
    if draw(st.booleans()):
        return draw(st.lists(lab_results(), max_size=25))
    batch = clean_batch()
    for _ in range(draw(st.integers(0, 6))):
        change = draw(lab_results())
        if draw(st.booleans()):
            batch = [r for r in batch if r.analyte != change.analyte]
        if draw(st.integers(0, 3)):
            batch.append(change)
    certs = draw(st.lists(st.tuples(st.none() | st.integers(1, 4), DATES), min_size=1, max_size=3))
    return [
        LabResult(
            r.analyte, r.category, r.value, r.unit, r.qualifier, r.loq, *certs[i % len(certs)]
        )
        for i, r in enumerate(batch)
    ]


SERVINGS = (
    st.none()
    | st.sampled_from([2.5, 4, 0.0, -0.0, 1e-9, 3.3333333333333335])
    | st.floats(0.01, 50, allow_nan=False)
)
PRODUCTS: st.SearchStrategy[ProductInfo | None] = st.none() | st.builds(
    ProductInfo,
    serving_g=SERVINGS,
    servings_per_day=SERVINGS,
    form=st.sampled_from([None, "leaf", "extract", "capsule"]),
)


def _outcome(call: Callable[[], Any]) -> tuple[str, str, str]:
    try:
        verdict = call()
    except Exception as exc:  # noqa: BLE001 - the exception itself is what is compared
        return ("raised", type(exc).__name__, str(exc))
    return ("verdict", repr(verdict), repr(verdict.to_dict()))


def assert_same(profile: Profile, results: list[LabResult], product: ProductInfo | None) -> None:
    """The engine and the frozen oracle give identical verdicts (or raise alike);
    repeating the call, or mutating a verdict already given, changes nothing. Against
    the pre-issue-12 reference: see the module docstring (:func:`assert_no_new_fails`)."""
    expected = _outcome(lambda: reference_impl.evaluate(profile, list(results), product))
    got = _outcome(lambda: evaluate(profile, list(results), product))
    assert got == expected, (profile.code, results, product)
    if got[0] == "verdict":
        first = evaluate(profile, iter(results), product)
        for entry in (*first.failures, *first.inconclusive, *first.warnings):
            _scribble(entry)
        _scribble(first.intake)
        assert _outcome(lambda: evaluate(profile, results, product)) == expected
    assert_no_new_fails(profile, results, product)


def assert_no_new_fails(
    profile: Profile, results: list[LabResult], product: ProductInfo | None
) -> None:
    """The engine fails (or warns on) no rule the pre-issue-12 reference did not, except
    a positive kept after a retest; it raises only where that reference raises."""
    try:
        new = evaluate(profile, list(results), product)
    except Exception as exc:  # noqa: BLE001 - compared with the reference below
        with pytest.raises(type(exc)):
            reference_pre12.evaluate(profile, list(results), product)
        return
    try:
        old = reference_pre12.evaluate(profile, list(results), product)
    except Exception:  # noqa: BLE001 - the engine may judge what the reference could not
        return
    for mine, theirs in ((new.failures, old.failures), (new.warnings, old.warnings)):
        before = {e["rule_id"] for e in theirs}
        for entry in mine:
            assert entry["rule_id"] in before or "retest" in entry, (profile.code, entry, results)


def _scribble(d: dict[str, Any]) -> None:
    for key in list(d):
        if isinstance(d[key], dict):
            _scribble(d[key])
        elif isinstance(d[key], list):
            for item in d[key]:
                if isinstance(item, dict):
                    _scribble(item)
            d[key].append("scribbled")
        d[key] = "scribbled"
    d["extra"] = "scribbled"


@SETTINGS
@given(results=batches(), product=PRODUCTS)
def test_shipped_profiles_judged_as_the_oracle(
    results: list[LabResult], product: ProductInfo | None
) -> None:
    for profile in PROFILES:
        assert_same(profile, results, product)


@FEWER
@given(results=st.lists(lab_results(), max_size=30))
def test_latest_results_as_the_reference(results: list[LabResult]) -> None:
    got, expected = latest_results(results), reference_impl.latest_results(results)
    assert len(got) == len(expected) and all(a is b for a, b in zip(got, expected, strict=True))


# Random valid profiles: every kind, both operators, every unit the loader accepts.
_MASS_FRACTION = [c for c, a in ANALYTES.items() if a.unit in ("%", "ug/g", "ug/kg")]
_LIMITS = st.sampled_from([0, 0.0, 0.5, 1, 2, 3.5, 10, 1000, 1e5, 1e7, 0.05, 0.82]) | st.floats(
    0, 1e6, allow_nan=False, allow_infinity=False
)
_SOURCE = {"citation": "test"}


@st.composite
def rule_dicts(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["max", "absent", "ratio", "exposure", "per_serving", "required"]))
    d: dict[str, Any] = {
        "id": f"r{index}",
        "kind": kind,
        "source": _SOURCE,
        "verified": draw(st.sampled_from(["primary", "unverified"])),
        "severity": draw(st.sampled_from(["fail", "fail", "warning"])),
    }
    if draw(st.integers(0, 4)) == 0:
        d["applies_to"] = draw(
            st.lists(st.sampled_from(["leaf", "extract"]), min_size=1, max_size=2)
        )
    op = draw(st.sampled_from(["<=", "<"]))
    if kind == "max":
        code = draw(st.sampled_from([c for c in CODES if c in ANALYTES and ANALYTES[c].unit]))
        unit = ANALYTES[code].unit
        if unit == "ug/g":
            unit = draw(st.sampled_from(["ug/g", "mg/kg", "ppm"]))
        d |= {"analyte": code, "limit": draw(_LIMITS), "unit": unit, "op": op}
    elif kind == "absent":
        d["analyte"] = draw(st.sampled_from([c for c in CODES if c in ANALYTES]))
    elif kind == "ratio":
        num = draw(st.sampled_from(["7_hydroxymitragynine", "mitragynine", "speciogynine"]))
        den = draw(st.sampled_from(["total_alkaloids", "mitragynine"]))
        d |= {"analyte": num, "denominator": den, "limit": draw(_LIMITS), "unit": "%", "op": op}
    elif kind in ("exposure", "per_serving"):
        code = draw(st.sampled_from([c for c in CODES if c in _MASS_FRACTION]))
        units = ["ug/day", "mg/day"] if kind == "exposure" else ["mg/serving", "ug/serving"]
        d |= {
            "analyte": code,
            "limit": draw(_LIMITS),
            "unit": draw(st.sampled_from(units)),
            "op": op,
        }
    else:
        d["analytes"] = draw(
            st.lists(st.sampled_from([c for c in CODES if c in ANALYTES]), min_size=1, max_size=6)
        )
    return d


@st.composite
def random_profiles(draw: st.DrawFn) -> Profile:
    n = draw(st.integers(1, 8))
    data = {
        "code": "random",
        "name": "Random",
        "jurisdiction": "nowhere",
        "version": 1,
        "effective": None,
        "note": "",
        "defaults": {
            "serving_g": draw(st.none() | st.sampled_from([1.0, 2.5, 7])),
            "servings_per_day": draw(st.none() | st.sampled_from([1.0, 4, 3.5])),
        },
        "rules": [draw(rule_dicts(i)) for i in range(n)],
    }
    try:
        return profile_from_dict(data)
    except ProfileError:
        assume(False)
        raise


@SETTINGS
@given(profile=random_profiles(), results=batches(), product=PRODUCTS)
def test_random_profiles_judged_as_the_oracle(
    profile: Profile, results: list[LabResult], product: ProductInfo | None
) -> None:
    assert_same(profile, results, product)


# Batches aimed at the limits: where tidy()'s 12 digits, open and closed ends and the
# order of the arithmetic decide the verdict.
_NEAR = [
    1.0,
    1 + 1e-13,
    1 - 1e-13,
    1 + 4e-12,
    1 - 4e-12,
    1 + 6e-12,
    1 - 6e-12,
    1 + 1e-11,
    1 - 1e-11,
    1 + 1e-10,
    1 - 1e-10,
    1 + 1e-9,
    1 - 1e-9,
    1 + 3e-9,
    1 - 3e-9,
    0.5,
    2.0,
    0.0,
]
#: Other spellings of a canonical unit, with the factor a value takes in them.
_SPELLINGS: dict[str | None, list[tuple[str, float]]] = {
    "ug/g": [
        ("ug/g", 1.0),
        ("ppm", 1.0),
        ("mg/kg", 1.0),
        ("ppb", 1000.0),
        ("ng/g", 1000.0),
        ("%", 1e-4),
    ],
    "%": [("%", 1.0), ("% w/w", 1.0), ("mg/g", 10.0), ("ppm", 1e4)],
    "CFU/g": [("CFU/g", 1.0), ("cfu/g", 1.0)],
    "ug/kg": [("ug/kg", 1.0), ("ppb", 1.0), ("ug/g", 1e-3)],
}
_NEAR_PRODUCTS = st.none() | st.builds(
    ProductInfo,
    serving_g=st.sampled_from([None, 2.5, 1, 4.0, 3.3333333333333335, 0.7]),
    servings_per_day=st.sampled_from([None, 4, 3.0, 1.5, 7]),
    form=st.sampled_from([None, "leaf", "extract"]),
)
_DENOMINATORS = [1.8, 1.0, 2.0, 0.9, 1.5, 0.3, 3.5]


def _near_result(draw: st.DrawFn, code: str, value: float) -> LabResult:
    unit, factor = draw(
        st.sampled_from(_SPELLINGS.get(ANALYTES[code].unit, [(ANALYTES[code].unit, 1.0)]))
    )
    number = value * factor
    qualifier = draw(st.sampled_from(["=", "=", "<", ">", "nd"]))
    if qualifier == "nd":
        return res(code, None, unit=unit, qualifier="nd", loq=number)
    return res(code, number, unit=unit, qualifier=qualifier, loq=draw(st.none() | st.just(number)))


@st.composite
def near_limit_cases(draw: st.DrawFn) -> tuple[Profile, list[LabResult], ProductInfo | None]:
    profile = draw(st.sampled_from(PROFILES))
    rule = draw(st.sampled_from([r for r in profile.rules if r.limit is not None]))
    product = draw(_NEAR_PRODUCTS)
    assert rule.analyte is not None and rule.limit is not None
    code, near = rule.analyte, draw(st.sampled_from(_NEAR))
    serving = (
        product.serving_g
        if product and product.serving_g is not None
        else profile.defaults.serving_g
    )
    per_day = (
        product.servings_per_day
        if product and product.servings_per_day is not None
        else profile.defaults.servings_per_day
    )
    per_gram = mass_per_gram(ANALYTES[code].unit or "", (rule.unit or "").partition("/")[0]) or 1.0
    batch = {r.analyte: r for r in clean_batch()}
    if rule.kind == "ratio":
        den = draw(st.sampled_from(_DENOMINATORS))
        batch[code] = _near_result(draw, code, den * rule.limit / 100 * near)
        if draw(st.booleans()):
            batch["total_alkaloids"] = _near_result(draw, "total_alkaloids", den)
        else:  # no printed total: the sum of the printed alkaloids
            batch.pop("total_alkaloids")
            batch["mitragynine"] = _near_result(
                draw,
                "mitragynine",
                den - batch[code].value if batch[code].value is not None else den,
            )
    else:
        grams = {"exposure": (serving or 2.5) * (per_day or 4), "per_serving": serving or 2.5}
        value = rule.limit / (per_gram * grams[rule.kind]) if rule.kind in grams else rule.limit
        if code == "yeast_and_mold" and draw(st.booleans()):  # printed as its parts
            batch.pop(code)
            share = draw(st.sampled_from([0.3, 0.5, 0.999]))
            batch["yeasts"] = _near_result(draw, "yeasts", value * share * near)
            batch["molds"] = _near_result(draw, "molds", value * (1 - share))
        else:
            batch[code] = _near_result(draw, code, value * near)
    return profile, list(batch.values()), product


@settings(
    max_examples=EXAMPLES * 4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=near_limit_cases())
def test_near_limits_judged_as_the_oracle(
    case: tuple[Profile, list[LabResult], ProductInfo | None],
) -> None:
    assert_same(*case)


def test_a_profile_equal_to_a_prepared_one_keeps_its_own_figures() -> None:
    """Equal profiles (2 == 2.0) never get each other's output."""
    as_int = make_profile(make_rule("max", id="lead", analyte="lead", limit=2, unit="ug/g"))
    as_float = make_profile(make_rule("max", id="lead", analyte="lead", limit=2.0, unit="ug/g"))
    assert as_int == as_float
    batch = [res("lead", 3)]
    for profile in (as_int, as_float, as_int, copy.deepcopy(as_float)):
        assert_same(profile, batch, None)


def test_every_shipped_rule_is_prepared() -> None:
    """No shipped rule's preparation raises (its judge would raise on every batch)."""
    for profile in PROFILES:
        judges = prepared(profile).judges
        assert all(judge.__name__ == "judge" for _, judge in judges), profile.code


#: Rules the loader would refuse, built by hand: judged, or raising, as the oracle does.
ODD_RULES = [
    make_rule("max", id="no-analyte", limit=1.0, unit="ug/g"),
    make_rule("max", id="no-limit", analyte="lead", unit="ug/g"),
    make_rule("max", id="no-unit", analyte="lead", limit=1.0),
    make_rule("max", id="odd-op", analyte="lead", limit=1.0, unit="ug/g", op="=="),
    make_rule("max", id="presence", analyte="salmonella", limit=0.0),
    make_rule("max", id="infinite", analyte="total_aerobic_count", limit=math.inf, unit="CFU/g"),
    make_rule("max", id="zero", analyte="lead", limit=0.0, unit="ug/g", op="<"),
    make_rule("max", id="tiny", analyte="lead", limit=1e-300, unit="ug/g"),
    make_rule("exposure", id="not-mass", analyte="total_aerobic_count", limit=1.0, unit="ug/day"),
    make_rule("per_serving", id="odd-unit", analyte="lead", limit=1.0, unit="furlongs"),
    make_rule("ratio", id="no-denominator", analyte="7_hydroxymitragynine", limit=2.0, unit="%"),
    make_rule(
        "ratio",
        id="unknown-code",
        analyte="not_a_code",
        denominator="total_alkaloids",
        limit=2.0,
        unit="%",
    ),
    make_rule("absent", id="absent-nothing"),
    make_rule("required", id="required-none", analytes=("lead", None)),
    make_rule("mystery", id="unknown-kind", analyte="lead"),
    make_rule("max", id="warn-info", analyte="lead", limit=0.1, unit="ug/g", severity="info"),
    make_rule("max", id="odd-limit", analyte="lead", limit="1", unit="ug/g"),
]


@pytest.mark.parametrize("rule", ODD_RULES, ids=lambda r: r.id)
@settings(
    max_examples=max(EXAMPLES // 10, 20),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(results=batches(), product=PRODUCTS)
def test_hand_built_rules_judged_as_the_oracle(
    rule: Any, results: list[LabResult], product: ProductInfo | None
) -> None:
    profile = make_profile(
        rule, make_rule("max", id="lead", analyte="lead", limit=1.0, unit="ug/g")
    )
    assert_same(profile, results, product)


@pytest.mark.parametrize(
    "bad",
    [
        res("lead", "0.3"),  # type: ignore[arg-type]
        res("lead", 0.3, unit=["ug/g"]),
        res("salmonella", "x", qualifier="not_detected"),  # type: ignore[arg-type]
        LabResult("lead", value=0.3, unit="ug/g", tested="2024-01-01"),  # type: ignore[arg-type]
        LabResult("lead", value=0.3, unit="ug/g", certificate_id=1, tested=date(2024, 1, 1)),
        LabResult(["lead"], value=0.3, unit="ug/g"),  # type: ignore[arg-type]
    ],
)
def test_ill_typed_results_behave_as_the_oracle(bad: LabResult) -> None:
    for profile in PROFILES:
        assert_same(profile, [*clean_batch(lead=None, salmonella=None), bad], None)
        assert_same(profile, [*clean_batch(), bad], ProductInfo(2.5, 4, "leaf"))
