# FROZEN reference (test-only): see __init__.py. Do not edit.
"""A batch's verdict under one profile.

Which result counts: a batch may have several certificates (a retest, a second lab).
Each analyte is judged on its latest result: the one with the latest ``tested`` date,
then the highest ``certificate_id`` (certificates are numbered as they arrive, so a
same-day retest uploaded later wins). Undated results count as older than any dated
one; exact ties keep the result that came first. Analytes only an older certificate
tested are kept from it, so a retest of lead alone does not drop the microbials.
:func:`evaluate` applies :func:`latest_results` itself. Earlier results of an analyte
tested more than once stay readable by the rules (:func:`history`): a presence test's
earlier positive is not erased by a negative retest unless the profile's source says so.

Every outcome passes through ``rules.settle`` before it counts: a fail that rests on an
assumption (total arsenic for an inorganic limit, a form-limited rule while the form is
unknown, an unverified rule) becomes inconclusive. A rule out of its source's scope
(AHPA above 5 g/day) is listed under ``not_applicable``.

Status, worst first: ``fail`` when a rule of severity ``fail`` fails; else ``warning``
when a rule of severity ``warning`` (Prop 65) fails: the entry goes to ``warnings``, the
product needs a warning label, it is not banned; else ``incomplete`` when a required
test is missing or a result cannot be judged (an ``inconclusive`` entry, e.g. ``<`` LOQ
above the limit, unit mismatch, no serving size), or when no rule judged anything (no
result the profile reads: ``reason`` says "nothing this profile judges was tested");
else ``pass``. An inconclusive warning rule makes the verdict ``incomplete``, since
nobody can then say whether the label is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tests.thresholds.reference_impl.model import (
    NOTHING_JUDGED,
    LabResult,
    ProductInfo,
    Profile,
    Rule,
    Verdict,
    VerdictStatus,
    form_applies,
)
from tests.thresholds.reference_impl.rules import (
    RuleContext,
    RuleOutcome,
    judge,
    resolve_intake,
    settle,
)


def latest_results(results: Iterable[LabResult]) -> list[LabResult]:
    """The latest result of each analyte (see the module docstring), in first-seen order."""
    latest: dict[str, LabResult] = {}
    for result in results:
        held = latest.get(result.analyte)
        if held is None or _recency(result) > _recency(held):
            latest[result.analyte] = result
    return list(latest.values())


def _recency(result: LabResult) -> tuple[date, int]:
    cert = result.certificate_id if result.certificate_id is not None else -1
    return (result.tested or date.min, cert)


def applies(rule: Rule, product: ProductInfo) -> bool:
    """False when the rule is limited to forms and the product's known form is not one.
    While the form is unknown the rule is judged, and :func:`rules.settle` keeps it from
    failing (a rule for leaf cannot accuse a product nobody knows to be leaf)."""
    return form_applies(rule.applies_to, _form(product))


def _form(product: ProductInfo) -> str | None:
    return None if product.form in (None, "unknown") else product.form


def history(results: Iterable[LabResult]) -> dict[str, tuple[LabResult, ...]]:
    """Every result of each analyte tested more than once, oldest first (as
    :func:`latest_results` ranks them): retests keep earlier positives in view."""
    seen: dict[str, list[LabResult]] = {}
    for result in results:
        seen.setdefault(result.analyte, []).append(result)
    return {
        code: tuple(sorted(found, key=_recency)) for code, found in seen.items() if len(found) > 1
    }


def evaluate(
    profile: Profile, results: Iterable[LabResult], product: ProductInfo | None = None
) -> Verdict:
    """Judge a batch's results under ``profile``: every rule judged by ``rules.judge``."""
    product = product or ProductInfo()
    results = list(results)
    intake = resolve_intake(product)
    ctx = RuleContext(
        {r.analyte: r for r in latest_results(results)},
        intake,
        history(results),
        profile.defaults,
        profile.minus_uncertainty,
    )
    rules = [rule for rule in profile.rules if applies(rule, product)]
    known = _form(product) is not None
    outcomes = [(rule, _settled(judge(rule, ctx), known)) for rule in rules]
    skipped = tuple(rule.id for rule in profile.rules if not applies(rule, product))
    return _verdict(profile, outcomes, skipped, intake.to_dict())


def _settled(outcome: RuleOutcome | None, form_known: bool) -> RuleOutcome | None:
    return None if outcome is None else settle(outcome, form_known=form_known)


def _sort(
    outcome: RuleOutcome,
    passed: list[str],
    failures: list[dict[str, Any]],
    warnings: list[dict[str, Any]],
    inconclusive: list[dict[str, Any]],
    missing: list[str],
    outside: list[str],
    cleared: list[dict[str, Any]],
    *,
    built: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """File one outcome into the verdict's lists (``built``: its entry, when made
    before); returns the entry filed, if any."""
    rule = outcome.rule
    made = None
    if outcome.state == "pass":
        passed.append(rule.id)
        if outcome.details.get("cleared_by_retest"):
            made = built or entry(outcome)
            cleared.append(made)
    elif outcome.state == "fail":
        if rule.severity in ("fail", "warning"):
            made = built or entry(outcome)
            (failures if rule.severity == "fail" else warnings).append(made)
    elif outcome.state == "unknown":
        made = built or entry(outcome)
        inconclusive.append(made)
    elif outcome.state == "not_applicable":
        outside.append(rule.id)
    missing.extend(outcome.missing)
    return made


def _assumptions(inconclusive: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    return _unique(f"{e['rule_id']}: {a}" for e in inconclusive for a in e.get("assumptions", ()))


def _verdict(
    profile: Profile,
    outcomes: list[tuple[Rule, RuleOutcome | None]],
    skipped: tuple[str, ...],
    intake: dict[str, Any],
) -> Verdict:
    passed: list[str] = []
    failures: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    inconclusive: list[dict[str, Any]] = []
    missing_: list[str] = []
    outside: list[str] = []
    cleared: list[dict[str, Any]] = []
    for _, o in outcomes:
        if o is not None:
            _sort(o, passed, failures, warnings, inconclusive, missing_, outside, cleared)
    missing = _unique(missing_)
    untested = _unique(r.analyte for r, o in outcomes if o is None and r.analyte not in missing)
    judged = bool(passed or failures or warnings or inconclusive or missing)
    return Verdict(
        profile=profile.code,
        profile_version=profile.version,
        status=status_of(
            bool(failures), bool(missing or inconclusive), warned=bool(warnings), judged=judged
        ),
        reason=None if judged else NOTHING_JUDGED,
        failures=tuple(failures),
        missing=missing,
        inconclusive=tuple(inconclusive),
        warnings=tuple(warnings),
        passed=tuple(passed),
        not_tested=untested,
        not_applicable=_in_profile_order(profile, skipped, outside),
        intake=intake,
        assumptions=_assumptions(inconclusive),
        cleared=tuple(cleared),
    )


def status_of(
    failed: bool, incomplete: bool, *, warned: bool = False, judged: bool = True
) -> VerdictStatus:
    """Precedence: fail > warning > incomplete > pass. A verdict none of whose rules
    judged anything (``judged`` false: no result the profile reads) is incomplete."""
    if failed:
        return VerdictStatus.FAIL
    if warned:
        return VerdictStatus.WARNING
    return VerdictStatus.INCOMPLETE if incomplete or not judged else VerdictStatus.PASS


def entry(outcome: RuleOutcome) -> dict[str, Any]:
    """A verdict entry: the contract's ``{analyte, value, unit, limit, rule, source}``
    first, then the rule's id, operator, severity, verification and the details."""
    rule = outcome.rule
    return {
        "analyte": rule.analyte,
        "value": outcome.value,
        "unit": outcome.unit,
        "limit": rule.limit,
        "rule": rule.kind,
        "source": rule.source.citation,
        "source_url": rule.source.url,
        "rule_id": rule.id,
        "op": rule.op,
        "severity": rule.severity,
        "verified": rule.verified,
        "message": outcome.message,
        **{k: v if v.__class__ not in _NESTED else _fresh(v) for k, v in outcome.details.items()},
    }


_NESTED = frozenset({dict, list})


def _fresh(value: Any) -> Any:
    """A copy of nested dicts and lists, so that no two verdicts share an entry's parts
    (outcomes are remembered between calls, see ``Compiled.explained``)."""
    if value.__class__ is dict:
        return {k: v if v.__class__ not in _NESTED else _fresh(v) for k, v in value.items()}
    if value.__class__ is list:
        return [v if v.__class__ not in _NESTED else _fresh(v) for v in value]
    return value


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i is not None))


def _in_profile_order(profile, skipped, outside):
    """Changed on purpose after the freeze (with the engine): the rules left out, for
    their form or by their own outcome, in the profile's order, so that a rule edited
    from one reason to the other leaves the list as a fresh judgement gives it."""
    out = set(skipped) | set(outside)
    return tuple(rule.id for rule in profile.rules if rule.id in out)
