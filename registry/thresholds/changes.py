"""What a new version of a profile can change, for re-judging only what it touches.

A verdict is built from the outcome of each rule on its own (pass, fail with its entry,
inconclusive, missing tests, not tested, not applicable), in the profile's rule order,
with the profile's default intake. When a new version changes some rules in place (the
same rule ids in the same order, the same defaults), a batch's verdict under it equals
its verdict under the old version unless one of the changed rules reaches a different
outcome. :func:`rule_changes` gives each changed rule as a one-rule profile, old and
new, and :func:`same_outcomes` compares them on a batch's results: equal outcomes mean
an equal verdict, so the batch needs no full evaluation. Any other change (rules added,
removed or reordered, new defaults, a new ``as_of`` or ``minus_uncertainty``) answers
``None``: judge everything. A new ``as_of`` means the sources were read again, and the
first versions carrying one (issue 12) came with a new engine whose verdicts the stored
ones, made by the old engine, cannot stand in for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from registry.thresholds.analytes import COMPOSITES
from registry.thresholds.evaluate import evaluate
from registry.thresholds.model import LabResult, ProductInfo, Profile

RulePair = tuple[Profile, Profile]


def rule_changes(old: Profile, new: Profile) -> tuple[RulePair, ...] | None:
    """One-rule profiles (old, new) for each rule ``new`` changed in place, or ``None``
    when the change is not confined to rules changed in place."""
    if (
        old.code != new.code
        or old.defaults != new.defaults
        or old.minus_uncertainty != new.minus_uncertainty
        or old.as_of != new.as_of
    ):
        return None
    if [r.id for r in old.rules] != [r.id for r in new.rules]:
        return None
    return tuple(
        (replace(old, rules=(a,)), replace(new, rules=(b,)))
        for a, b in zip(old.rules, new.rules, strict=True)
        if a != b
    )


def same_outcomes(
    pairs: Sequence[RulePair], results: Sequence[LabResult], product: ProductInfo | None = None
) -> bool:
    """True when every changed rule concludes the same on these results under both
    versions (so the whole verdict is the same)."""
    for old, new in pairs:
        a, b = evaluate(old, results, product), evaluate(new, results, product)
        if (
            a.status,
            a.failures,
            a.missing,
            a.inconclusive,
            a.warnings,
            a.passed,
            a.not_tested,
            a.not_applicable,
            a.intake,
            a.assumptions,
            a.cleared,
        ) != (
            b.status,
            b.failures,
            b.missing,
            b.inconclusive,
            b.warnings,
            b.passed,
            b.not_tested,
            b.not_applicable,
            b.intake,
            b.assumptions,
            b.cleared,
        ):
            return False
    return True


def analytes_read(pairs: Sequence[RulePair]) -> frozenset[str]:
    """Every analyte the changed rules read, old and new (a whole's printed parts too):
    :func:`same_outcomes` needs a batch's results of these alone."""
    codes: set[str] = set()
    for pair in pairs:
        for profile in pair:
            for rule in profile.rules:
                codes.update(c for c in (rule.analyte, rule.denominator, *rule.analytes) if c)
    for code in list(codes):
        if code in COMPOSITES:
            codes.update(COMPOSITES[code].parts)
    return frozenset(codes)
