# FROZEN pre-optimisation reference (test-only): see __init__.py. Do not edit.
"""Rule kinds as pure functions over an operator table, with an explicit unknown state.

A result is first turned into :class:`Bounds`, the interval its true value lies in:

=================  ==========================================  ========================
qualifier          bounds                                      e.g.
=================  ==========================================  ========================
``=`` v            [v, v]                                      ``1.42``
``<`` v            [0, v) (v: the printed limit, else the LOQ)  ``<10``, ``<LOQ``
``nd``             [0, LOQ) when a LOQ is printed, else [0, 0]  ``ND``
``not_detected``   [0, 0]                                      ``Absent``
``>`` v            (v, inf)                                    ``>1500``, ``TNTC``
``detected``       (0, inf)                                    ``Present``
=================  ==========================================  ========================

:func:`next_state` then compares the whole interval with the limit, like redash's
``next_state``: ``pass`` when every value in it meets the limit, ``fail`` when none
does, else ``unknown``. That gives the qualifier rules in one place: ``<`` at or below
the limit passes, ``<`` above it is unknown (never a pass); ``>`` at or above the limit
fails, ``>`` below it is unknown; ``nd`` passes unless its printed LOQ is above the
limit (then it is unknown like ``<``: "not detected" by a method that cannot see down
to the limit shows nothing). Exposure, per-serving and ratio rules carry the interval
through their arithmetic, so the same reasoning holds for ``<`` lead at 10 g/day.

A result whose unit does not convert to the rule's unit, a number without a unit, or
an unreadable value is ``unknown`` with a reason; nothing passes silently.

``absent`` rules read presence tests: ``not_detected``/``nd`` pass, ``detected`` fails.
A count printed for an absence test (Salmonella as ``=`` 40 CFU/g) fails when above 0
and passes at 0; ``>`` fails; a ``<`` count (``<10 CFU/g``) is unknown, because a
count below a reporting limit does not show absence in the 10 or 25 g the standards
name.

Each kind returns ``None`` when the batch has no result for the rule's analyte: whether
that matters is the business of ``required`` rules, which list what must be tested.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Literal

from tests.thresholds.reference_pre12.analytes import (
    COMPOSITES,
    analyte,
    conversion_factor,
    mass_per_gram,
    normalize_unit,
)
from tests.thresholds.reference_pre12.model import Defaults, LabResult, ProductInfo, Rule

State = Literal["pass", "fail", "unknown", "missing"]
Facts = Mapping[str, LabResult]

#: The comparisons a limit may use: value OP limit must hold.
OPERATORS: Mapping[str, Callable[[float, float], bool]] = {"<=": operator.le, "<": operator.lt}

INF = math.inf


def tidy(x: float) -> float:
    """``x`` to 12 significant digits, so that 0.7 x 10 compares as 7 with a limit."""
    return x if math.isinf(x) else float(f"{x:.12g}")


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
    "nd": Bounds(0.0, 0.0),
    "detected": Bounds(0.0, INF, lo_open=True),
    ">": Bounds(0.0, INF, lo_open=True),
}


def bounds_of(result: LabResult, unit: str | None) -> Bounds | str:
    """The bounds of one result converted into ``unit``, or why there are none."""
    q = result.qualifier
    if q not in _SHAPES:  # presence calls carry no quantity, whatever number came along
        return _NUMBERLESS.get(q) or f"unknown qualifier {q!r}"
    number = result.loq if q == "nd" else result.value
    if q == "<" and number is None:
        number = result.loq
    if number is None:
        return _NUMBERLESS.get(q) or f"no value for qualifier {q!r}"
    if result.unit is None:
        return f"{number:g} has no unit (the rule needs {unit})"
    factor = conversion_factor(result.unit, unit)
    if factor is None:
        return f"unit mismatch: result in {result.unit!r}, the rule needs {unit!r}"
    return _SHAPES[q](tidy(number * factor))


def measure_result(result: LabResult, unit: str | None) -> Measure:
    """:func:`bounds_of` as a :class:`Measure`."""
    found = bounds_of(result, unit)
    if isinstance(found, str):
        return Measure(None, found, (result,))
    return Measure(found, None, (result,))


def measure(facts: Facts, code: str, unit: str | None) -> Measure | None:
    """``code``'s bounds in ``unit``: as printed, else summed from its printed parts
    (see ``analytes.COMPOSITES``); None when the batch has neither."""
    if code in facts:
        return measure_result(facts[code], unit)
    composite = COMPOSITES.get(code)
    if composite is None or any(need not in facts for need in composite.needs):
        return None
    parts = [measure_result(facts[p], unit) for p in composite.parts if p in facts]
    names = ", ".join(r.analyte for m in parts for r in m.results)
    results = tuple(r for m in parts for r in m.results)
    failed = [m.reason for m in parts if m.bounds is None]
    if failed:
        return Measure(None, failed[0], results, f"sum of printed {names}")
    total = reduce(Bounds.plus, (m.bounds for m in parts if m.bounds is not None))
    return Measure(total, None, results, f"sum of printed {names}")


def present(facts: Facts, code: str) -> bool:
    """True when the batch has a result for ``code`` or every needed part of it."""
    composite = COMPOSITES.get(code)
    return code in facts or (composite is not None and all(n in facts for n in composite.needs))


@dataclass(frozen=True, slots=True)
class Intake:
    """The serving basis a verdict used, and where each figure came from
    (``product``, ``profile default`` or ``unknown``)."""

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


def resolve_intake(product: ProductInfo, defaults: Defaults) -> Intake:
    """Each factor from the product when known, else from the profile's defaults."""
    serving, serving_from = _pick(product.serving_g, defaults.serving_g)
    per_day, per_day_from = _pick(product.servings_per_day, defaults.servings_per_day)
    return Intake(serving, per_day, serving_from, per_day_from)


def _pick(own: float | None, default: float | None) -> tuple[float | None, str]:
    if own is not None:
        return own, "product"
    return (default, "profile default") if default is not None else (None, "unknown")


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule may read: the batch's latest result per analyte and the intake."""

    facts: Facts
    intake: Intake


@dataclass(frozen=True, slots=True)
class Outcome:
    """One rule's judgement. ``value``/``unit`` are on the rule's scale (µg/day for an
    exposure rule, % of alkaloids for a ratio), ``details`` go into the verdict entry."""

    rule: Rule
    state: State
    value: float | None = None
    unit: str | None = None
    message: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def judge_max(rule: Rule, ctx: Context) -> Outcome | None:
    """Value (as printed, or summed from parts) within the limit in canonical units."""
    found = measure(ctx.facts, _code(rule.analyte), rule.unit)
    if found is None:
        return None
    return _compare(rule, found, found.bounds, rule.unit, {})


def judge_absent(rule: Rule, ctx: Context) -> Outcome | None:
    """A presence test that must come back negative (see the module docstring)."""
    result = ctx.facts.get(_code(rule.analyte))
    if result is None:
        return None
    state = _absence_state(result)
    shown = result.qualifier if result.value is None else f"{result.qualifier} {result.value:g}"
    message = (
        f"{rule.analyte} {shown}: "
        + {"pass": "absent", "fail": "present, must be absent", "unknown": "cannot show absence"}[
            state
        ]
    )
    return Outcome(
        rule, state, result.value, result.unit, message, _measured(Measure(None, None, (result,)))
    )


_ABSENCE: Mapping[str, Literal["pass", "fail", "unknown"]] = {
    "not_detected": "pass",
    "nd": "pass",
    "detected": "fail",
    ">": "fail",
    "<": "unknown",
}


def _absence_state(result: LabResult) -> Literal["pass", "fail", "unknown"]:
    if result.qualifier != "=":
        return _ABSENCE.get(result.qualifier, "unknown")
    if result.value is None:
        return "unknown"
    return "fail" if result.value > 0 else "pass"


def judge_ratio(rule: Rule, ctx: Context) -> Outcome | None:
    """One analyte as a percentage of another (7-OH of total alkaloids, or of the sum of
    the printed alkaloids when no total is printed)."""
    unit = analyte(_code(rule.analyte)).unit
    num = measure(ctx.facts, _code(rule.analyte), unit)
    if num is None:
        return None
    den = measure(ctx.facts, _code(rule.denominator), unit)
    shown_unit = f"% of {rule.denominator}"
    if num.bounds is not None and num.bounds.hi == 0:
        return _compare(rule, num, Bounds(0.0, 0.0), shown_unit, {})
    if num.bounds is None or den is None or den.bounds is None:
        reason = num.reason or (den and den.reason) or f"no {rule.denominator} result to divide by"
        return _unknown(rule, shown_unit, reason, num)
    ratio = num.bounds.over(den.bounds).scaled(100.0)
    return _compare(rule, num, ratio, shown_unit, {"denominator": _measure_dict(den)})


def judge_exposure(rule: Rule, ctx: Context) -> Outcome | None:
    """Value x grams per serving x servings per day within a daily amount."""
    unit = analyte(_code(rule.analyte)).unit
    found = measure(ctx.facts, _code(rule.analyte), unit)
    if found is None:
        return None
    daily = ctx.intake.daily_g
    extra = {"daily_intake_g": daily, "intake_basis": ctx.intake.basis}
    return _scaled(rule, found, (daily, "g/day"), _per_gram(unit, rule), extra, unit)


def judge_per_serving(rule: Rule, ctx: Context) -> Outcome | None:
    """Amount per serving (from a per-serving result, or value x serving size) within
    the limit."""
    result = ctx.facts.get(_code(rule.analyte))
    if result is not None and (normalize_unit(result.unit) or "").endswith("/serving"):
        return _compare(rule, measure_result(result, rule.unit), None, rule.unit, {})
    unit = analyte(_code(rule.analyte)).unit
    found = measure(ctx.facts, _code(rule.analyte), unit)
    if found is None:
        return None
    serving = ctx.intake.serving_g
    extra = {"serving_g": serving, "intake_basis": ctx.intake.serving_from}
    return _scaled(rule, found, (serving, "g/serving"), _per_gram(unit, rule), extra, unit)


def judge_required(rule: Rule, ctx: Context) -> Outcome:
    """Tests that must be on the certificate; the missing ones make a verdict incomplete."""
    missing = tuple(code for code in rule.analytes if not present(ctx.facts, code))
    if missing:
        return Outcome(rule, "missing", message=f"missing: {', '.join(missing)}", missing=missing)
    return Outcome(rule, "pass", message="every required test is present")


#: kind -> judge. Each is pure: (rule, context) -> outcome, None when not tested.
RULE_FUNCTIONS: Mapping[str, Callable[[Rule, Context], Outcome | None]] = {
    "max": judge_max,
    "absent": judge_absent,
    "ratio": judge_ratio,
    "exposure": judge_exposure,
    "per_serving": judge_per_serving,
    "required": judge_required,
}


def judge(rule: Rule, ctx: Context) -> Outcome | None:
    """The outcome of one rule of any kind."""
    return RULE_FUNCTIONS[rule.kind](rule, ctx)


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
) -> Outcome:
    """``found`` (in ``unit``) times grams of product, compared in the rule's unit."""
    amount, per = grams
    if found.bounds is None:
        return _unknown(rule, rule.unit, found.reason or "", found, extra)
    if amount is None:
        if found.bounds.hi == 0:
            return _compare(rule, found, Bounds(0.0, 0.0), rule.unit, extra)
        what = "daily intake" if per == "g/day" else "serving size"
        return _unknown(
            rule, rule.unit, f"{what} unknown: not on the product, no profile default", found, extra
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
) -> Outcome:
    bounds = found.bounds if bounds is None else bounds
    if bounds is None or rule.limit is None:
        return _unknown(rule, unit, found.reason or "no limit", found, extra)
    state = next_state(rule.op, bounds, rule.limit)
    shown = f"{rule.analyte} {via}{_show(bounds)} {unit}"
    verdict = {"pass": "within", "fail": "breaks", "unknown": "cannot be judged against"}[state]
    message = f"{shown} {verdict} the limit {rule.op} {rule.limit:g} {unit}"
    details = {"qualifier": bounds.qualifier, **_measured(found), **extra}
    if state == "unknown":
        details["reason"] = _UNSETTLED.get(bounds.qualifier, _UNSETTLED["range"])
    return Outcome(rule, state, _finite(bounds.point), unit, message, details)


_UNSETTLED: Mapping[str, str] = {
    "<": "only an upper bound is known and it is above the limit (reporting limit too high)",
    ">": "only a lower bound is known and it is below the limit",
    "range": "the true value may lie on either side of the limit",
}


def _unknown(
    rule: Rule, unit: str | None, reason: str, found: Measure, extra: dict[str, Any] | None = None
) -> Outcome:
    details = {"reason": reason, **_measured(found), **(extra or {})}
    return Outcome(rule, "unknown", None, unit, f"{rule.analyte}: {reason}", details)


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
    return {
        "analyte": r.analyte,
        "value": r.value,
        "unit": r.unit,
        "qualifier": r.qualifier,
        "loq": r.loq,
        "certificate_id": r.certificate_id,
        "tested": r.tested.isoformat() if r.tested else None,
    }
