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

Speed: a profile is prepared once (``Prepared``, cached per profile object): each rule
becomes its judge (``rules.prepare``), with everything it reads resolved up front, and
the rules that apply to each product form are remembered. A judge that passes returns
``True`` and costs a few comparisons; any other outcome is worded by the same judge from
the same figures. ``tests/thresholds/test_differential.py`` holds the verdicts to a
frozen copy of the engine (``tests/thresholds/reference_impl``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.thresholds.model import (
    NOTHING_JUDGED,
    LabResult,
    ProductInfo,
    Profile,
    Rule,
    Verdict,
    VerdictStatus,
    form_applies,
)
from registry.thresholds.rules import (
    NO_HISTORY,
    Judge,
    RuleContext,
    RuleOutcome,
    intake_basis,
    prepare,
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


def evaluate(
    profile: Profile, results: Iterable[LabResult], product: ProductInfo | None = None
) -> Verdict:
    """Judge a batch's results under ``profile``; ``product`` gives the serving size,
    servings per day and form printed on the COA or given by the uploader, when known."""
    if not isinstance(results, list | tuple):
        results = list(results)
    product = product or _NO_PRODUCT
    intake = intake_basis(product.serving_g, product.servings_per_day)
    plan = prepared(profile)
    facts: dict[str, LabResult] = {}
    keep = facts.setdefault
    repeated: set[str] | None = None
    explain = False  # word every outcome, passes too (see below)
    for result in results:  # latest_results, inline
        if result.tested.__class__ not in _PLAIN_DATES:
            explain = True  # a verdict entry prints it with isoformat(): raise as that does
        held = keep(result.analyte, result)
        if held is not result:
            if repeated is None:
                repeated = set()
            repeated.add(result.analyte)
            if _recency(result) > _recency(held):
                facts[result.analyte] = result
    earlier: Mapping[str, tuple[LabResult, ...]]
    if explain or (repeated is not None and not plan.absent.isdisjoint(repeated)):
        earlier = history(results)  # only presence tests read a retest's history
    else:
        earlier = NO_HISTORY
    ctx = RuleContext(facts, intake, earlier, profile.defaults, profile.minus_uncertainty)
    form = _form(product)
    form_known = form is not None
    judges, skipped = plan.for_form(form)
    passed: list[str] = []
    failures: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    inconclusive: list[dict[str, Any]] = []
    missing: list[str] = []
    untested: list[str | None] = []
    outside: list[str] = []
    cleared: list[dict[str, Any]] = []
    for rule, judge in judges:
        got = judge(ctx, explain)
        if got is True:
            passed.append(rule.id)
        elif got is None:
            untested.append(rule.analyte)
        else:
            _sort(
                settle(got, form_known=form_known),
                passed,
                failures,
                warnings,
                inconclusive,
                missing,
                outside,
                cleared,
            )
    gone = _unique(missing) if missing else ()
    judged = bool(passed or failures or warnings or inconclusive or gone)
    return Verdict(
        profile=profile.code,
        profile_version=profile.version,
        status=status_of(
            bool(failures), bool(gone or inconclusive), warned=bool(warnings), judged=judged
        ),
        reason=None if judged else NOTHING_JUDGED,
        failures=tuple(failures),
        missing=gone,
        inconclusive=tuple(inconclusive),
        warnings=tuple(warnings),
        passed=tuple(passed),
        not_tested=_unique(a for a in untested if a not in gone) if untested else (),
        not_applicable=_in_profile_order(profile, skipped, outside),
        intake=intake.to_dict(),
        assumptions=_assumptions(inconclusive) if inconclusive else (),
        cleared=tuple(cleared),
    )


_NO_PRODUCT = ProductInfo()
_PLAIN_DATES = frozenset({date, type(None)})


def history(results: Iterable[LabResult]) -> dict[str, tuple[LabResult, ...]]:
    """Every result of each analyte tested more than once, oldest first (as
    :func:`latest_results` ranks them): retests keep earlier positives in view."""
    seen: dict[str, list[LabResult]] = {}
    for result in results:
        seen.setdefault(result.analyte, []).append(result)
    return {
        code: tuple(sorted(found, key=_recency)) for code, found in seen.items() if len(found) > 1
    }


def _sort(
    outcome: RuleOutcome,
    passed: list[str],
    failures: list[dict[str, Any]],
    warnings: list[dict[str, Any]],
    inconclusive: list[dict[str, Any]],
    missing: list[str],
    outside: list[str],
    cleared: list[dict[str, Any]],
) -> None:
    """File one outcome into the verdict's lists."""
    rule = outcome.rule
    if outcome.state == "pass":
        passed.append(rule.id)
        if outcome.details.get("cleared_by_retest"):
            cleared.append(entry(outcome))
    elif outcome.state == "fail":
        if rule.severity in ("fail", "warning"):
            (failures if rule.severity == "fail" else warnings).append(entry(outcome))
    elif outcome.state == "unknown":
        inconclusive.append(entry(outcome))
    elif outcome.state == "not_applicable":
        outside.append(rule.id)
    missing.extend(outcome.missing)


def _assumptions(inconclusive: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    return _unique(f"{e['rule_id']}: {a}" for e in inconclusive for a in e.get("assumptions", ()))


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
        **outcome.details,
    }


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i is not None))


@dataclass(slots=True)
class Prepared:
    """A profile with each rule's judge (``rules.prepare``), the analytes its presence
    tests read (the only rules that read a retest's history) and, per product form, the
    (rule, judge) pairs that apply and the ids of the rules that do not."""

    profile: Profile
    judges: tuple[tuple[Rule, Judge], ...] = ()
    absent: frozenset[str] = frozenset()
    any_forms: bool = False
    by_form: dict[Any, tuple[tuple[tuple[Rule, Judge], ...], tuple[str, ...]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        rules, minus = self.profile.rules, self.profile.minus_uncertainty
        self.judges = tuple((rule, prepare(rule, minus)) for rule in rules)
        self.absent = frozenset(
            r.analyte for r in rules if r.kind == "absent" and isinstance(r.analyte, str)
        )
        self.any_forms = any(rule.applies_to for rule in rules)

    def for_form(self, form: str | None) -> tuple[tuple[tuple[Rule, Judge], ...], tuple[str, ...]]:
        """The (rule, judge) pairs that apply to a product of ``form`` and the ids of the
        other rules, as :func:`applies` decides."""
        if not self.any_forms:
            return self.judges, ()
        found = self.by_form.get(form)
        if found is None:
            found = (
                tuple(p for p in self.judges if form_applies(p[0].applies_to, form)),
                tuple(r.id for r, _ in self.judges if not form_applies(r.applies_to, form)),
            )
            if len(self.by_form) >= 64:
                self.by_form.clear()
            self.by_form[form] = found
        return found


_PREPARED: dict[int, Prepared] = {}
_PREPARED_SIZE = 256


def prepared(profile: Profile) -> Prepared:
    """``profile`` prepared, from the cache when this object was prepared before (the
    cache holds the profile, so that its id is not reused while it is in there)."""
    found = _PREPARED.get(id(profile))
    if found is None or found.profile is not profile:
        if len(_PREPARED) >= _PREPARED_SIZE:
            _PREPARED.clear()
        found = _PREPARED[id(profile)] = Prepared(profile)
    return found


def _in_profile_order(
    profile: Profile, skipped: tuple[str, ...], outside: list[str]
) -> tuple[str, ...]:
    """The rules left out, for their product form (``skipped``) or by their own outcome
    (``outside``), in the profile's order: a rule edited from one reason to the other
    leaves the list as a fresh judgement gives it (a re-judgement keeps such verdicts)."""
    if not outside:
        return skipped
    if not skipped:
        return tuple(outside)
    out = {*skipped, *outside}
    return tuple(rule.id for rule in profile.rules if rule.id in out)
