"""A new version that changes rules in place: when the changed rules conclude as before
on a batch, the whole verdict is as before (so a re-judgement may skip the batch).

Property: for random batches and random in-place edits of shipped rules (limit,
operator, severity, forms, unit of the limit), ``same_outcomes`` never says "same"
when the full verdicts differ; and it says "different" only for a real difference of
the changed rules (checked against one-rule profiles).
"""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from registry.thresholds import (
    LabResult,
    ProductInfo,
    Profile,
    analytes_read,
    evaluate,
    rule_changes,
    same_outcomes,
)
from registry.thresholds.model import Defaults
from tests.thresholds.test_differential import FEWER, PRODUCTS, PROFILES, SETTINGS, batches


def verdict_fields(profile: Profile, results: list[LabResult], product: ProductInfo | None) -> str:
    """The verdict without its version, as ``repr`` (NaN values compare equal there)."""
    d = evaluate(profile, results, product).to_dict()
    d.pop("profile_version")
    return repr(d)


@st.composite
def edited(draw: st.DrawFn) -> tuple[Profile, Profile]:
    """A shipped profile and a new version with one to three rules changed in place."""
    old = draw(st.sampled_from(PROFILES))
    rules = list(old.rules)
    for i in draw(st.sets(st.integers(0, len(rules) - 1), min_size=1, max_size=3)):
        rule = rules[i]
        edit = draw(st.sampled_from(["limit", "op", "severity", "forms", "same"]))
        if edit == "limit" and rule.limit is not None:
            factor = draw(st.sampled_from([0.001, 0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 1000.0]))
            rule = dataclasses.replace(rule, limit=rule.limit * factor)
        elif edit == "op" and rule.limit is not None:
            rule = dataclasses.replace(rule, op="<" if rule.op == "<=" else "<=")
        elif edit == "severity":
            rule = dataclasses.replace(
                rule, severity="warning" if rule.severity == "fail" else "fail"
            )
        elif edit == "forms":
            rule = dataclasses.replace(
                rule, applies_to=draw(st.sampled_from([(), ("leaf",), ("extract",)]))
            )
        rules[i] = rule
    return old, dataclasses.replace(old, version=old.version + 1, rules=tuple(rules))


@SETTINGS
@given(change=edited(), results=batches(), product=PRODUCTS)
def test_same_outcomes_means_the_same_verdict(
    change: tuple[Profile, Profile], results: list[LabResult], product: ProductInfo | None
) -> None:
    old, new = change
    pairs = rule_changes(old, new)
    assert pairs is not None
    before, after = verdict_fields(old, results, product), verdict_fields(new, results, product)
    if same_outcomes(pairs, results, product):
        assert before == after
    else:  # a changed rule concludes differently on its own
        assert any(
            verdict_fields(a, results, product) != verdict_fields(b, results, product)
            for a, b in pairs
        )


@FEWER
@given(results=batches(), product=PRODUCTS)
def test_an_unchanged_version_changes_no_rule(
    results: list[LabResult], product: ProductInfo | None
) -> None:
    for profile in PROFILES:
        pairs = rule_changes(
            profile, dataclasses.replace(profile, version=profile.version + 1, note="reworded")
        )
        assert pairs == ()
        assert same_outcomes(pairs, results, product)


def test_other_changes_need_a_full_judgement() -> None:
    utah = next(p for p in PROFILES if p.code == "utah-r70-580")
    assert rule_changes(utah, dataclasses.replace(utah, rules=utah.rules[1:])) is None
    assert rule_changes(utah, dataclasses.replace(utah, rules=utah.rules[::-1])) is None
    assert (
        rule_changes(
            utah, dataclasses.replace(utah, defaults=Defaults(serving_g=1.0, servings_per_day=1.0))
        )
        is None
    )
    other = next(p for p in PROFILES if p.code != utah.code)
    assert rule_changes(utah, other) is None


@SETTINGS
@given(change=edited(), results=batches(), product=PRODUCTS)
def test_the_changed_rules_need_only_the_analytes_they_read(
    change: tuple[Profile, Profile], results: list[LabResult], product: ProductInfo | None
) -> None:
    pairs = rule_changes(*change)
    assert pairs is not None
    codes = analytes_read(pairs)
    narrow = [r for r in results if r.analyte in codes]
    assert same_outcomes(pairs, narrow, product) == same_outcomes(pairs, results, product)
    for old, new in pairs:
        for single in (old, new):
            assert verdict_fields(single, narrow, product) == verdict_fields(
                single, results, product
            )


def test_a_new_as_of_judges_everything() -> None:
    """Stored verdicts made before the sources were read again cannot stand in."""
    from dataclasses import replace as _replace
    from datetime import date as _date

    from registry.thresholds import rule_changes as _rule_changes
    from tests.thresholds.builders import shipped as _shipped

    texas = _shipped()["texas"]
    assert _rule_changes(_replace(texas, as_of=None), texas) is None
    assert _rule_changes(texas, _replace(texas, as_of=_date(2027, 1, 1))) is None
    assert _rule_changes(texas, texas) == ()
