# FROZEN reference (test-only): see __init__.py. Do not edit.
"""Rule kinds as pure functions over an operator table, with an explicit unknown state.

The principle: a rule gives ``fail`` only when the printed values and the rule's own
text prove it. A conclusion that would rest on an assumption (an intake, a product
form, a share over a partial total, a missing LOQ, total arsenic for an inorganic
limit, a rule whose legal basis is unconfirmed) is ``unknown`` (the verdict's
``inconclusive``), with the reason in plain words, ``assumptions`` and, where a figure
can be given, ``would_fail_if``.

A result is first turned into :class:`Bounds`, the interval its true value lies in:

=================  ==========================================  ========================
qualifier          bounds                                      e.g.
=================  ==========================================  ========================
``=`` v            [v, v] (``v - U`` where the profile says so) ``1.42``
``<`` v            [0, v) (v: the printed limit, else the LOQ)  ``<10``, ``<LOQ``
``nd``             [0, LOQ) with a printed LOQ; else [0, the    ``ND``
                   profile's method LOQ); else [0, inf)
``not_detected``   [0, 0]                                      ``Absent``
``>`` v            (v, inf)                                    ``>1500``, ``TNTC``
``detected``       (0, inf)                                    ``Present``
=================  ==========================================  ========================

:func:`next_state` then compares the whole interval with the limit, like redash's
``next_state``: ``pass`` when every value in it meets the limit, ``fail`` when none
does, else ``unknown``. That gives the qualifier rules in one place: ``<`` at or below
the limit passes, ``<`` above it is unknown (never a pass); ``>`` at or above the limit
fails, ``>`` below it is unknown; ``nd`` passes when its printed LOQ (or the method LOQ
the profile gives) is at or below the limit, and is unknown otherwise: "not detected"
by a method that may not see down to the limit shows nothing. Exposure, per-serving and
ratio rules carry the interval through their arithmetic. A whole summed from printed
parts that are not all of it (total alkaloids) is a lower bound: [sum, inf).

A result whose unit does not convert to the rule's unit, a number without a unit, or
an unreadable value is ``unknown`` with a reason; nothing passes silently.

``absent`` rules read presence tests: ``not_detected``/``nd`` pass (unless the COA
prints a tested mass below the one the source names), ``detected`` fails, a count above
0 fails; a count at or below a reporting limit (``0 CFU/g`` and ``<10 CFU/g`` alike)
is unknown, because a plate count does not show absence in the 10, 25 or 100 g the
sources name. An earlier positive stays visible after a negative retest, and the rule
keeps failing unless the rule says its source lets a retest clear it.

Each kind returns ``None`` when the batch has no result for the rule's analyte: whether
that matters is the business of ``required`` rules, which list what must be tested.
:func:`settle` then turns the fails that rest on an assumption into unknowns.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Literal

from tests.thresholds.reference_impl.analytes import (
    ANALYTES,
    COMPOSITES,
    analyte,
    conversion_factor,
    mass_per_gram,
    normalize_unit,
)
from tests.thresholds.reference_impl.model import Defaults, LabResult, ProductInfo, Rule

State = Literal["pass", "fail", "unknown", "missing", "not_applicable"]
Facts = Mapping[str, LabResult]

#: The comparisons a limit may use: value OP limit must hold.
OPERATORS: Mapping[str, Callable[[float, float], bool]] = {"<=": operator.le, "<": operator.lt}

INF = math.inf


def tidy(x: float) -> float:
    """``x`` to 12 significant digits, so that 0.7 x 10 compares as 7 with a limit.

    Memoised for floats other than zero (the memo could not tell 0.0 from -0.0) and
    NaN; the memo is emptied when it reaches ``_TIDY_MEMO_SIZE`` entries."""
    if x.__class__ is float:
        found = _TIDIED.get(x)
        if found is not None:
            return found
        if math.isinf(x):
            return x
        found = float(f"{x:.12g}")
        if x and x == x:
            if len(_TIDIED) >= _TIDY_MEMO_SIZE:
                _TIDIED.clear()
            _TIDIED[x] = found
        return found
    return x if math.isinf(x) else float(f"{x:.12g}")


_TIDIED: dict[float, float] = {}
_TIDY_MEMO_SIZE = 1 << 16


@dataclass(frozen=True, slots=True)
class Bounds:
    """The interval a true value lies in; either end may be open."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def scaled(self, k: float) -> Bounds:
        """The interval times a positive factor."""
        return Bounds(tidy(self.lo * k), tidy(self.hi * k), self.lo_open, self.hi_open)

    def plus(self, other: Bounds) -> Bounds:
        """The interval of a sum."""
        return Bounds(
            tidy(self.lo + other.lo),
            tidy(self.hi + other.hi),
            self.lo_open or other.lo_open,
            self.hi_open or other.hi_open,
        )

    def over(self, den: Bounds) -> Bounds:
        """The interval of ``self / den`` for non-negative quantities."""
        if self.hi == 0:
            return Bounds(0.0, 0.0)
        hi = INF if den.lo == 0 else self.hi / den.lo
        lo = 0.0 if den.hi == 0 or math.isinf(den.hi) else self.lo / den.hi
        return Bounds(tidy(lo), tidy(hi), self.lo_open or den.hi_open, self.hi_open or den.lo_open)

    @property
    def qualifier(self) -> str:
        """How the interval reads: ``=`` exact, ``<`` bounded above, ``>`` bounded below."""
        if self.lo == self.hi:
            return "="
        if math.isinf(self.hi):
            return ">"
        return "<" if self.lo == 0 else "range"

    @property
    def point(self) -> float:
        """The number to show with :attr:`qualifier` (the bound that is known)."""
        return self.lo if self.qualifier in ("=", ">") else self.hi


def next_state(op: str, bounds: Bounds, limit: float) -> Literal["pass", "fail", "unknown"]:
    """``pass`` when every value in ``bounds`` meets ``value OP limit``, ``fail`` when none
    does, else ``unknown``."""
    holds = OPERATORS[op]
    if holds(bounds.hi, limit) or (bounds.hi_open and bounds.hi <= limit):
        return "pass"
    if not holds(bounds.lo, limit) or (bounds.lo_open and bounds.lo >= limit):
        return "fail"
    return "unknown"


@dataclass(frozen=True, slots=True)
class Measure:
    """An analyte's value as bounds in one unit, or the reason it has none."""

    bounds: Bounds | None
    reason: str | None
    results: tuple[LabResult, ...]
    basis: str = "printed"


_SHAPES: Mapping[str, Callable[[float], Bounds]] = {
    "=": lambda n: Bounds(n, n),
    "<": lambda n: Bounds(0.0, n, hi_open=True),
    "nd": lambda n: Bounds(0.0, n, hi_open=True),
    ">": lambda n: Bounds(n, INF, lo_open=True),
}
_NUMBERLESS: Mapping[str, Bounds] = {
    "not_detected": Bounds(0.0, 0.0),
    "detected": Bounds(0.0, INF, lo_open=True),
    ">": Bounds(0.0, INF, lo_open=True),
}
#: ``nd`` with no printed LOQ and no method LOQ from the profile: somewhere below an
#: unknown LOQ, so nothing is known of it but that it is not negative.
UNKNOWN_LOQ = Bounds(0.0, INF)
NO_LOQ = (
    "not detected, but no LOQ is printed and the profile does not say the standard "
    "method's LOQ is below the limit"
)


def bounds_of(
    result: LabResult,
    unit: str | None,
    *,
    method_loq: float | None = None,
    minus_uncertainty: bool = False,
) -> Bounds | str:
    """The bounds of one result converted into ``unit``, or why there are none.

    ``method_loq`` (in ``unit``) bounds an ``nd`` printed without an LOQ; without it
    such an ND is :data:`UNKNOWN_LOQ`. With ``minus_uncertainty`` an exact value with a
    printed expanded uncertainty U counts as ``value - U`` (not below zero)."""
    q = result.qualifier
    if q not in _SHAPES:  # presence calls carry no quantity, whatever number came along
        return _NUMBERLESS.get(q) or f"unknown qualifier {q!r}"
    number = result.loq if q == "nd" else result.value
    if q == "<" and number is None:
        number = result.loq
    if number is None:
        if q == "nd":
            return (
                UNKNOWN_LOQ if method_loq is None else Bounds(0.0, tidy(method_loq), hi_open=True)
            )
        return _NUMBERLESS.get(q) or f"no value for qualifier {q!r}"
    if result.unit is None:
        return f"{number:g} has no unit (the rule needs {unit})"
    factor = conversion_factor(result.unit, unit)
    if factor is None:
        return f"unit mismatch: result in {result.unit!r}, the rule needs {unit!r}"
    if q == "=" and minus_uncertainty and result.uncertainty:
        number = max(0.0, number - result.uncertainty)
    return _SHAPES[q](tidy(number * factor))


def measure_result(result: LabResult, unit: str | None, **how: Any) -> Measure:
    """:func:`bounds_of` as a :class:`Measure`."""
    found = bounds_of(result, unit, **how)
    if isinstance(found, str):
        return Measure(None, found, (result,))
    return Measure(found, None, (result,))


def measure(
    facts: Facts, code: str, unit: str | None, *, only: tuple[str, ...] = (), **how: Any
) -> Measure | None:
    """``code``'s bounds in ``unit``: as printed, else summed from its printed parts
    (see ``analytes.COMPOSITES``; a ``partial`` composite's sum is a lower bound, so its
    upper end is open to infinity); None when the batch has neither. ``only``: sum just
    these parts, and only when every one of them is printed (a rule's named set)."""
    if code in facts:
        return measure_result(facts[code], unit, **how)
    composite = COMPOSITES.get(code)
    if only:
        if any(part not in facts for part in only):
            return None
        names, partial = only, False
    elif composite is None or any(need not in facts for need in composite.needs):
        return None
    else:
        names, partial = tuple(p for p in composite.parts if p in facts), composite.partial
    parts = [measure_result(facts[p], unit, **how) for p in names]
    shown = ", ".join(r.analyte for m in parts for r in m.results)
    basis = (
        f"sum of the alkaloids the rule names: {shown}"
        if only
        else f"sum of printed {shown}"
        + (" (a lower bound: the whole is not printed)" if partial else "")
    )
    results = tuple(r for m in parts for r in m.results)
    failed = [m.reason for m in parts if m.bounds is None]
    if failed:
        return Measure(None, failed[0], results, basis)
    total = reduce(Bounds.plus, (m.bounds for m in parts if m.bounds is not None))
    if partial:
        total = Bounds(total.lo, INF, total.lo_open, False)
    return Measure(total, None, results, basis)


def present(facts: Facts, code: str) -> bool:
    """True when the batch has a result for ``code`` or every needed part of it."""
    composite = COMPOSITES.get(code)
    return code in facts or (composite is not None and all(n in facts for n in composite.needs))


@dataclass(frozen=True, slots=True)
class Intake:
    """The serving basis a verdict used, and where each figure came from (``product``:
    printed on the COA or given by the uploader; ``unknown``)."""

    serving_g: float | None
    servings_per_day: float | None
    serving_from: str
    per_day_from: str

    @property
    def basis(self) -> str:
        """Where the figures came from, in one phrase."""
        if self.serving_from == self.per_day_from:
            return self.serving_from
        return f"serving_g: {self.serving_from}; servings_per_day: {self.per_day_from}"

    @property
    def daily_g(self) -> float | None:
        """Grams per day, or None when either factor is unknown."""
        if self.serving_g is None or self.servings_per_day is None:
            return None
        return tidy(self.serving_g * self.servings_per_day)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures of the basis."""
        return {
            "serving_g": self.serving_g,
            "servings_per_day": self.servings_per_day,
            "daily_intake_g": self.daily_g,
            "basis": self.basis,
        }


def resolve_intake(product: ProductInfo, defaults: Defaults | None = None) -> Intake:
    """Each factor from the product (the COA or the uploader) when known. A profile's
    defaults are never used as the basis of a judgement (see :func:`judge_exposure`)."""
    serving, serving_from = _pick(product.serving_g)
    per_day, per_day_from = _pick(product.servings_per_day)
    return Intake(serving, per_day, serving_from, per_day_from)


def _pick(own: float | None) -> tuple[float | None, str]:
    return (own, "product") if own is not None else (None, "unknown")


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What every rule may read: the batch's latest result per analyte, the intake, the
    earlier results of analytes tested more than once (oldest first, the latest last),
    the profile's illustrative intake and whether it judges ``value - U``."""

    facts: Facts
    intake: Intake
    history: Mapping[str, tuple[LabResult, ...]] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=Defaults)
    minus_uncertainty: bool = False


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One rule's judgement. ``value``/``unit`` are on the rule's scale (µg/day for an
    exposure rule, % of alkaloids for a ratio), ``details`` go into the verdict entry.
    ``state`` may also be ``not_applicable`` (outside the rule's scope, e.g. AHPA's
    5 g/day)."""

    rule: Rule
    state: State
    value: float | None = None
    unit: str | None = None
    message: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def _how(rule: Rule, ctx: RuleContext, unit: str | None) -> dict[str, Any]:
    """How results are read for ``rule``: the method LOQ (only on the analyte's own
    scale) and ``value - U``."""
    own = rule.analyte in ANALYTES and normalize_unit(
        analyte(_code(rule.analyte)).unit
    ) == normalize_unit(unit)
    return {
        "method_loq": rule.method_loq if own else None,
        "minus_uncertainty": ctx.minus_uncertainty,
    }


def judge_max(rule: Rule, ctx: RuleContext) -> RuleOutcome | None:
    """Value (as printed, or summed from parts) within the limit in canonical units."""
    found = measure(ctx.facts, _code(rule.analyte), rule.unit, **_how(rule, ctx, rule.unit))
    if found is None:
        return None
    return _compare(rule, found, found.bounds, rule.unit, {})


def judge_absent(rule: Rule, ctx: RuleContext) -> RuleOutcome | None:
    """A presence test that must come back negative (see the module docstring), in the
    mass the source names, with earlier positives kept in view (retests)."""
    result = ctx.facts.get(_code(rule.analyte))
    if result is None:
        return None
    state, why = _absence(rule, result)
    shown = result.qualifier if result.value is None else f"{result.qualifier} {result.value:g}"
    details: dict[str, Any] = dict(_measured(Measure(None, None, (result,))))
    message = f"{rule.analyte} {shown}: {why}"
    earlier = [
        r
        for r in ctx.history.get(rule.analyte or "", ())
        if r is not result and _absence(rule, r)[0] == "fail"
    ]
    if earlier and state != "fail":
        first = earlier[-1]
        story = (
            f"{rule.analyte} detected on {_day(first)}, "
            f"{'not detected' if state == 'pass' else why} on retest {_day(result)}"
        )
        details["retest"] = {"positive": _result_dict(first), "retest": _result_dict(result)}
        if rule.retest_clears and state == "pass":
            details["cleared_by_retest"] = True
            return RuleOutcome(
                rule,
                "pass",
                result.value,
                result.unit,
                f"{story}; the source lets a new certificate clear it",
                details,
            )
        return RuleOutcome(
            rule,
            "fail",
            result.value,
            result.unit,
            f"{story}; the source does not say a retest clears a positive",
            details,
        )
    if state == "unknown":
        details["reason"] = why
    return RuleOutcome(rule, state, result.value, result.unit, message, details)


def _day(result: LabResult) -> str:
    return result.tested.isoformat() if result.tested else "an undated certificate"


def _absence(rule: Rule, result: LabResult) -> tuple[Literal["pass", "fail", "unknown"], str]:
    """A presence test's state and why: a call of absence passes in the mass the source
    names (or when the COA does not print the mass); a positive call or a count above 0
    fails; a count at or below a reporting limit (``0 CFU/g``, ``<10 CFU/g``) shows no
    absence in any named mass, so both are inconclusive alike."""
    q, need = result.qualifier, rule.sample_g
    if q in ("detected", ">"):
        return "fail", "present, must be absent"
    if q in ("not_detected", "nd"):
        if need is not None and result.sample_g is not None and result.sample_g < need:
            return "unknown", (
                f"absent in {result.sample_g:g} g does not show absence in "
                f"the {need:g} g the source names"
            )
        return "pass", "absent"
    if q == "=" and result.value is not None and result.value > 0:
        return "fail", "present, must be absent"
    if q in ("=", "<") and (result.value is not None or result.loq is not None):
        mass = f" in {need:g} g" if need is not None else ""
        return "unknown", f"a count at or below the lab's reporting limit cannot show absence{mass}"
    return "unknown", "cannot show absence"


def judge_ratio(rule: Rule, ctx: RuleContext) -> RuleOutcome | None:
    """One analyte as a percentage of another (7-OH of total alkaloids).

    The denominator is the printed total; else the sum of the alkaloids the rule's own
    text names (``denominator_set``) when every one is printed; else the sum of the
    printed alkaloids, a lower bound on the total, which makes the share an upper bound:
    it passes when that bound meets the limit and is inconclusive otherwise."""
    unit = analyte(_code(rule.analyte)).unit
    how = _how(rule, ctx, unit)
    num = measure(ctx.facts, _code(rule.analyte), unit, **how)
    if num is None:
        return None
    den_code = _code(rule.denominator)
    den = measure(ctx.facts, den_code, unit, **how) if den_code in ctx.facts else None
    if den is None and rule.denominator_set:
        den = measure(ctx.facts, den_code, unit, only=rule.denominator_set, **how)
    if den is None:
        den = measure(ctx.facts, den_code, unit, **how)
    shown_unit = f"% of {rule.denominator}"
    if num.bounds is not None and num.bounds.hi == 0:
        return _compare(rule, num, Bounds(0.0, 0.0), shown_unit, {})
    if num.bounds is None or den is None or den.bounds is None:
        reason = num.reason or (den and den.reason) or f"no {rule.denominator} result to divide by"
        return _unknown(rule, shown_unit, reason, num)
    ratio = num.bounds.over(den.bounds).scaled(100.0)
    out = _compare(rule, num, ratio, shown_unit, {"denominator": _measure_dict(den)})
    if out.state == "unknown" and math.isinf(den.bounds.hi) and not math.isinf(ratio.hi):
        share = ratio.hi
        return _assumed(
            out,
            (
                f"{rule.analyte} is at most {share:.3g} % of the printed "
                f"alkaloids; the total is not printed, so the {rule.limit:g} % "
                f"limit cannot be judged"
            ),
            "the printed alkaloids taken as the whole alkaloid content",
            f"the printed alkaloids were the whole alkaloid content "
            f"({rule.analyte} {share:.3g} % of them)",
        )
    return out


def judge_exposure(rule: Rule, ctx: RuleContext) -> RuleOutcome | None:
    """Value x grams per serving x servings per day within a daily amount, on the
    intake printed on the COA or given by the uploader only; without one the rule is
    inconclusive and shows what the profile's illustrative intake would give. A rule
    limited to products taken at no more than ``max_daily_g`` is not applicable above it."""
    unit = analyte(_code(rule.analyte)).unit
    found = measure(ctx.facts, _code(rule.analyte), unit, **_how(rule, ctx, unit))
    if found is None:
        return None
    daily = ctx.intake.daily_g
    if daily is not None and rule.max_daily_g is not None and daily > rule.max_daily_g:
        return RuleOutcome(
            rule,
            "not_applicable",
            None,
            rule.unit,
            f"{rule.analyte}: the source applies only to products taken at no more "
            f"than {rule.max_daily_g:g} g/day; this one is taken at {daily:g} g/day",
        )
    extra = {"daily_intake_g": daily, "intake_basis": ctx.intake.basis}
    per_gram = _per_gram(unit, rule)
    out = _scaled(rule, found, (daily, "g/day"), per_gram, extra, unit)
    if daily is None and out.state == "unknown" and found.bounds is not None:
        return _illustrate(out, found, ctx.defaults.daily_intake_g, per_gram, unit)
    return out


def _illustrate(
    out: RuleOutcome, found: Measure, grams: float | None, per_gram: float, unit: str | None
) -> RuleOutcome:
    """An exposure rule without an intake: what the profile's illustrative intake gives."""
    rule, bounds = out.rule, found.bounds
    assert bounds is not None
    scope = (
        f" (the source covers products taken at no more than {rule.max_daily_g:g} g/day)"
        if rule.max_daily_g is not None
        else ""
    )
    reason = "the daily intake is not printed on the COA and was not given by the uploader" + scope
    if grams is None or rule.limit is None:
        return _assumed(out, reason, "a daily intake", None)
    at = bounds.scaled(per_gram * grams)
    state = next_state(rule.op, at, rule.limit)
    figure = f"{_show(bounds)} {unit} x {grams:g} g/day = {_show(at)} {rule.unit}"
    would = f"taken at {grams:g} g/day: {figure}" if state != "pass" else None
    details = {
        "at_assumed_intake": {"daily_intake_g": grams, "value": _finite(at.point), "state": state}
    }
    return _assumed(out, reason, f"an intake of {grams:g} g/day", would, details)


def judge_per_serving(rule: Rule, ctx: RuleContext) -> RuleOutcome | None:
    """Amount per serving (from a per-serving result, or value x serving size) within
    the limit."""
    result = ctx.facts.get(_code(rule.analyte))
    if result is not None and (normalize_unit(result.unit) or "").endswith("/serving"):
        how = {"minus_uncertainty": ctx.minus_uncertainty}
        return _compare(rule, measure_result(result, rule.unit, **how), None, rule.unit, {})
    unit = analyte(_code(rule.analyte)).unit
    found = measure(ctx.facts, _code(rule.analyte), unit, **_how(rule, ctx, unit))
    if found is None:
        return None
    serving = ctx.intake.serving_g
    extra = {"serving_g": serving, "intake_basis": ctx.intake.serving_from}
    out = _scaled(rule, found, (serving, "g/serving"), _per_gram(unit, rule), extra, unit)
    if serving is None and out.state == "unknown" and found.bounds is not None:
        return _assumed(
            out,
            "the serving size is not printed on the COA and was not given by the uploader",
            "a serving size",
            None,
        )
    return out


def judge_required(rule: Rule, ctx: RuleContext) -> RuleOutcome:
    """Tests that must be on the certificate; the missing ones make a verdict incomplete."""
    missing = tuple(code for code in rule.analytes if not present(ctx.facts, code))
    if missing:
        return RuleOutcome(
            rule, "missing", message=f"missing: {', '.join(missing)}", missing=missing
        )
    return RuleOutcome(rule, "pass", message="every required test is present")


#: kind -> judge. Each is pure: (rule, context) -> outcome, None when not tested.
RULE_FUNCTIONS: Mapping[str, Callable[[Rule, RuleContext], RuleOutcome | None]] = {
    "max": judge_max,
    "absent": judge_absent,
    "ratio": judge_ratio,
    "exposure": judge_exposure,
    "per_serving": judge_per_serving,
    "required": judge_required,
}


def judge(rule: Rule, ctx: RuleContext) -> RuleOutcome | None:
    """The outcome of one rule of any kind (before :func:`settle`)."""
    return RULE_FUNCTIONS[rule.kind](rule, ctx)


def settle(outcome: RuleOutcome, *, form_known: bool) -> RuleOutcome:
    """A ``fail`` that the printed values and the rule's own text do not prove becomes
    inconclusive, with the reason and what it would take to fail:

    * a limit for one species (inorganic arsenic) broken by a total: speciation needed;
    * a rule for some product forms while the product's form is unknown;
    * a rule whose legal basis could not be confirmed (``verified: unverified``)."""
    if outcome.state != "fail":
        return outcome
    rule = outcome.rule
    if rule.species is not None:
        return _assumed(
            outcome,
            (
                f"the limit is for {rule.species} {rule.analyte}; the COA "
                f"reports total {rule.analyte}, and speciation is needed to "
                f"show a breach"
            ),
            f"all of the {rule.analyte} taken as {rule.species}",
            f"all of the {rule.analyte} were {rule.species}: {outcome.message}",
        )
    if rule.applies_to and not form_known:
        forms = " or ".join(rule.applies_to)
        return _assumed(
            outcome,
            (f"the rule applies only to {forms}; the product's form is not known"),
            "the product's form",
            f"the product is {forms}: {outcome.message}",
        )
    if rule.verified == "unverified":
        return _assumed(
            outcome,
            (
                "the rule's legal basis could not be confirmed (unverified), "
                "so it gives no public fail"
            ),
            "the rule as read",
            f"the rule is in force as read: {outcome.message}",
        )
    return outcome


def _assumed(
    out: RuleOutcome,
    reason: str,
    assumption: str,
    would: str | None,
    extra: Mapping[str, Any] | None = None,
) -> RuleOutcome:
    """``out`` as inconclusive: the reason, the assumption it would rest on and, when
    known, the figure that assumption would give (``would_fail_if``)."""
    details = {
        **out.details,
        "reason": reason,
        "assumptions": [*out.details.get("assumptions", ()), assumption],
        **(extra or {}),
    }
    if would is not None:
        details["would_fail_if"] = would
    message = f"{out.rule.analyte}: {reason}"
    return RuleOutcome(out.rule, "unknown", out.value, out.unit, message, details, out.missing)


def _code(code: str | None) -> str:
    if code is None:  # the loader makes sure each kind has its fields
        raise ValueError("rule without an analyte")
    return code


def _per_gram(unit: str | None, rule: Rule) -> float:
    mass = (rule.unit or "").partition("/")[0]
    factor = mass_per_gram(unit or "", mass)
    if factor is None:  # the loader rejects such rules
        raise ValueError(f"rule {rule.id}: {unit} does not convert to {rule.unit}")
    return factor


def _scaled(
    rule: Rule,
    found: Measure,
    grams: tuple[float | None, str],
    per_gram: float,
    extra: dict[str, Any],
    unit: str | None,
) -> RuleOutcome:
    """``found`` (in ``unit``) times grams of product, compared in the rule's unit."""
    amount, per = grams
    if found.bounds is None:
        return _unknown(rule, rule.unit, found.reason or "", found, extra)
    if amount is None:
        if found.bounds.hi == 0:
            return _compare(rule, found, Bounds(0.0, 0.0), rule.unit, extra)
        what = "daily intake" if per == "g/day" else "serving size"
        return _unknown(
            rule,
            rule.unit,
            f"{what} unknown: not on the COA, not given by the uploader",
            found,
            extra,
        )
    via = f"{_show(found.bounds)} {unit} x {amount:g} {per} = "
    return _compare(rule, found, found.bounds.scaled(per_gram * amount), rule.unit, extra, via)


def _compare(
    rule: Rule,
    found: Measure,
    bounds: Bounds | None,
    unit: str | None,
    extra: dict[str, Any],
    via: str = "",
) -> RuleOutcome:
    bounds = found.bounds if bounds is None else bounds
    if bounds is None or rule.limit is None:
        return _unknown(rule, unit, found.reason or "no limit", found, extra)
    state = next_state(rule.op, bounds, rule.limit)
    shown = f"{rule.analyte} {via}{_show(bounds)} {unit}"
    verdict = {"pass": "within", "fail": "breaks", "unknown": "cannot be judged against"}[state]
    message = f"{shown} {verdict} the limit {rule.op} {rule.limit:g} {unit}"
    details = {"qualifier": bounds.qualifier, **_measured(found), **extra}
    lowered = [r for r in found.results if r.qualifier == "=" and r.uncertainty]
    if lowered and any(r.uncertainty for r in lowered) and found.bounds is not None:
        details["judged"] = "value - U (expanded uncertainty printed)"
    if state == "unknown":
        if any(r.qualifier == "nd" and r.loq is None for r in found.results):
            out = RuleOutcome(rule, state, None, unit, message, details)
            return _assumed(out, NO_LOQ, "an ND with no printed LOQ read as zero", None)
        details["reason"] = _UNSETTLED.get(bounds.qualifier, _UNSETTLED["range"])
        if "lower bound" in found.basis and found.bounds is not None:
            out = RuleOutcome(rule, state, _finite(bounds.point), unit, message, details)
            return _assumed(
                out,
                (
                    f"{rule.analyte} is not printed; the printed parts sum to at "
                    f"least {bounds.lo:g} {unit}, a lower bound that meets the "
                    f"limit, so the limit cannot be judged"
                ),
                "the printed parts taken as the whole",
                None,
            )
    return RuleOutcome(rule, state, _finite(bounds.point), unit, message, details)


_UNSETTLED: Mapping[str, str] = {
    "<": "only an upper bound is known and it is above the limit (reporting limit too high)",
    ">": "only a lower bound is known and it is below the limit",
    "range": "the true value may lie on either side of the limit",
}


def _unknown(
    rule: Rule, unit: str | None, reason: str, found: Measure, extra: dict[str, Any] | None = None
) -> RuleOutcome:
    details = {"reason": reason, **_measured(found), **(extra or {})}
    return RuleOutcome(rule, "unknown", None, unit, f"{rule.analyte}: {reason}", details)


def _show(bounds: Bounds) -> str:
    q = bounds.qualifier
    if q == "range":
        return f"{bounds.lo:g}-{bounds.hi:g}"
    return f"{'' if q == '=' else q + ' '}{bounds.point:g}"


def _finite(x: float) -> float | None:
    return None if math.isinf(x) else x


def _measured(found: Measure) -> dict[str, Any]:
    return {"measured": _measure_dict(found)}


def _measure_dict(found: Measure) -> dict[str, Any]:
    items = [_result_dict(r) for r in found.results]
    if found.basis == "printed" and len(items) == 1:
        return items[0]
    return {"basis": found.basis, "parts": items}


def _result_dict(r: LabResult) -> dict[str, Any]:
    d = {
        "analyte": r.analyte,
        "value": r.value,
        "unit": r.unit,
        "qualifier": r.qualifier,
        "loq": r.loq,
        "certificate_id": r.certificate_id,
        "tested": r.tested.isoformat() if r.tested else None,
    }
    if r.uncertainty is not None:
        d["uncertainty"] = r.uncertainty
    if r.sample_g is not None:
        d["sample_g"] = r.sample_g
    return d
