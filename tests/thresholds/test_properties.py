"""Property: a higher contaminant value never judges better, a lower one never worse.

For every shipped profile and every rule that compares a number with a limit (max,
exposure, per_serving, and ratio through its numerator), raise the rule's analyte in a
clean batch: the rule's own state (pass < inconclusive < fail) and, for rules of
severity "fail" whose analyte is not also a denominator, the verdict's status (pass <
incomplete < fail) never go down. (A warning rule moves from inconclusive, which makes
a verdict incomplete, to a definite warning, which leaves it pass: its own state is the
measure there.) That is "raising never turns fail into pass" and, read backwards, "lowering never
turns pass into fail", for each qualifier and any serving basis.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.thresholds import ANALYTES, ProductInfo, Rule
from registry.thresholds.analytes import mass_per_gram
from tests.thresholds.builders import clean_batch, res, shipped, verdict_of

MONOTONE = ("max", "exposure", "per_serving", "ratio")
CASES = [
    (code, rule.id)
    for code, profile in sorted(shipped().items())
    for rule in profile.rules
    if rule.kind in MONOTONE
]
STATUS_RANK = {"pass": 0, "incomplete": 1, "fail": 2}


def critical_value(rule: Rule) -> float:
    """Roughly where the analyte's value meets the limit (to aim the search)."""
    assert rule.limit is not None and rule.analyte is not None
    unit = ANALYTES[rule.analyte].unit or ""
    per_gram = mass_per_gram(unit, (rule.unit or "").partition("/")[0]) or 1.0
    return {
        "max": rule.limit,
        "exposure": rule.limit / (per_gram * 10.0),
        "per_serving": rule.limit / (per_gram * 4.0),
        "ratio": rule.limit / 100.0 * 1.8,  # of the clean batch's total alkaloids
    }[rule.kind]


def values(around: float) -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.0, around, around / 2, around * 2]),
        st.floats(0, around * 4, allow_nan=False, allow_subnormal=False),
        st.floats(0, 1e9, allow_nan=False, allow_subnormal=False),
    )


PRODUCTS = st.builds(
    ProductInfo,
    serving_g=st.none() | st.floats(0.1, 30, allow_subnormal=False),
    servings_per_day=st.none() | st.floats(0.5, 10, allow_subnormal=False),
    form=st.sampled_from([None, "leaf", "extract"]),
)


def rule_rank(verdict: dict[str, Any], rule_id: str) -> int | None:
    """0 passed, 1 inconclusive, 2 failed (or warned), None when not judged."""
    if any(e["rule_id"] == rule_id for e in verdict["failures"] + verdict["warnings"]):
        return 2
    if any(e["rule_id"] == rule_id for e in verdict["inconclusive"]):
        return 1
    return 0 if rule_id in verdict["passed"] else None


@pytest.mark.parametrize(("code", "rule_id"), CASES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_raising_a_value_never_judges_better(code: str, rule_id: str, data: st.DataObject) -> None:
    profile = shipped()[code]
    rule = profile.rule(rule_id)
    assert rule.analyte is not None
    low = data.draw(values(critical_value(rule)), label="low")
    high = low + data.draw(values(critical_value(rule)), label="raise by")
    qualifier = data.draw(st.sampled_from(["=", "<", ">"]), label="qualifier")
    product = data.draw(PRODUCTS, label="product")
    before = verdict_of(
        code, clean_batch(**{rule.analyte: res(rule.analyte, low, qualifier=qualifier)}), product
    )
    after = verdict_of(
        code, clean_batch(**{rule.analyte: res(rule.analyte, high, qualifier=qualifier)}), product
    )
    assert (rule_rank(before, rule_id) or 0) <= (rule_rank(after, rule_id) or 0), (before, after)
    if rule.severity == "fail" and all(r.denominator != rule.analyte for r in profile.rules):
        assert STATUS_RANK[before["status"]] <= STATUS_RANK[after["status"]], (before, after)


@pytest.mark.parametrize("kind", MONOTONE)
def test_every_comparing_kind_is_covered(kind: str) -> None:
    assert any(shipped()[code].rule(rule_id).kind == kind for code, rule_id in CASES)
