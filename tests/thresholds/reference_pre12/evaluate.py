# FROZEN pre-optimisation reference (test-only): see __init__.py. Do not edit.
"""A batch's verdict under one profile.

Which result counts: a batch may have several certificates (a retest, a second lab).
Each analyte is judged on its latest result: the one with the latest ``tested`` date,
then the highest ``certificate_id`` (certificates are numbered as they arrive, so a
same-day retest uploaded later wins). Undated results count as older than any dated
one; exact ties keep the result that came first. Analytes only an older certificate
tested are kept from it, so a retest of lead alone does not drop the microbials.
:func:`evaluate` applies :func:`latest_results` itself.

Status, worst first: ``fail`` when a rule of severity ``fail`` fails; else
``incomplete`` when a required test is missing or a result cannot be judged (an
``inconclusive`` entry, e.g. ``<`` LOQ above the limit, unit mismatch, no serving
size); else ``pass``. A failing rule of severity ``warning`` (Prop 65) goes to
``warnings`` and leaves the status alone: the product needs a warning label, it is not
banned. An inconclusive warning rule still makes the verdict ``incomplete``, since
nobody can then say whether the label is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tests.thresholds.reference_pre12.model import (
    LabResult,
    ProductInfo,
    Profile,
    Rule,
    Status,
    Verdict,
)
from tests.thresholds.reference_pre12.rules import Context, Outcome, judge, resolve_intake


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
    """False when the rule is limited to forms and the product's known form is not one."""
    return not rule.applies_to or product.form is None or product.form in rule.applies_to


def evaluate(
    profile: Profile, results: Iterable[LabResult], product: ProductInfo | None = None
) -> Verdict:
    """Judge a batch's results under ``profile``; ``product`` gives the label's serving
    size, servings per day and form when known."""
    product = product or ProductInfo()
    intake = resolve_intake(product, profile.defaults)
    ctx = Context({r.analyte: r for r in latest_results(results)}, intake)
    rules = [rule for rule in profile.rules if applies(rule, product)]
    outcomes = [(rule, judge(rule, ctx)) for rule in rules]
    skipped = tuple(rule.id for rule in profile.rules if not applies(rule, product))
    return _verdict(profile, outcomes, skipped, intake.to_dict())


def _verdict(
    profile: Profile,
    outcomes: list[tuple[Rule, Outcome | None]],
    skipped: tuple[str, ...],
    intake: dict[str, Any],
) -> Verdict:
    judged = [o for _, o in outcomes if o is not None]
    failures = tuple(entry(o) for o in judged if o.state == "fail" and o.rule.severity == "fail")
    warnings = tuple(entry(o) for o in judged if o.state == "fail" and o.rule.severity == "warning")
    inconclusive = tuple(entry(o) for o in judged if o.state == "unknown")
    missing = _unique(code for o in judged for code in o.missing)
    untested = _unique(r.analyte for r, o in outcomes if o is None and r.analyte not in missing)
    return Verdict(
        profile=profile.code,
        profile_version=profile.version,
        status=status_of(bool(failures), bool(missing or inconclusive)),
        failures=failures,
        missing=missing,
        inconclusive=inconclusive,
        warnings=warnings,
        passed=tuple(o.rule.id for o in judged if o.state == "pass"),
        not_tested=untested,
        not_applicable=skipped,
        intake=intake,
    )


def status_of(failed: bool, incomplete: bool) -> Status:
    """Precedence: fail > incomplete > pass."""
    if failed:
        return "fail"
    return "incomplete" if incomplete else "pass"


def entry(outcome: Outcome) -> dict[str, Any]:
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
        **outcome.details,
    }


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i is not None))
