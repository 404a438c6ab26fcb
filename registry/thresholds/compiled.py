"""Profiles compiled once into per-rule checks: the fast path of :func:`evaluate`.

``rules.py`` defines every rule kind, one readable function per kind that explains its
judgement (an :class:`~registry.thresholds.rules.Outcome` with a message and details).
This module does the same judgements for :func:`~registry.thresholds.evaluate`, faster:

* a profile is compiled once into one *check* per rule, with the analyte's unit, the
  conversion factors (memoised per printed spelling), the per-gram factor of exposure
  and per-serving rules, composites and the comparison resolved up front;
* a check first decides, on the upper end of the result's interval only, whether the
  rule simply passes (most rules of most batches): then the verdict needs nothing but
  the rule's id, so no bounds, messages or dicts are built. Away from the limit (by a
  relative 1e-9, far more than the 1e-11 that ``tidy`` can move a value) the pass is
  decided without ``tidy``; near it, with ``tidy`` at the same steps as ``rules.py``;
* otherwise the check explains the rule as ``rules.py`` does, with the same arithmetic,
  wording and key order, straight into the verdict entry (no ``Bounds``, ``Measure``
  or ``Outcome`` objects).

A check answers ``True`` (passes), ``None`` (the batch has no result for the rule, as
``rules.judge`` returning None), ``("fail" | "unknown", entry)``, ``("missing", codes)``
for ``required`` rules, or ``False``: a rule whose shape the compiler does not know (an
unknown kind, a missing field, a limit that is not a number) is left to ``rules.judge``
every time. ``tests/thresholds/test_differential.py`` holds the verdicts to the frozen
pre-optimisation reference.

Compiled profiles are cached per :class:`Profile` object (by identity, holding the
object so that its id is not reused) and, for profiles rebuilt from equal data, by
value. Checks read every figure they print from the rule they are given (the rule of
the profile being evaluated), so equal profiles may share them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.thresholds.analytes import (
    ANALYTES,
    COMPOSITES,
    conversion_factor,
    mass_per_gram,
    normalize_unit,
)
from registry.thresholds.model import Profile, Rule
from registry.thresholds.rules import INF, OPERATORS, tidy

Facts = Mapping[str, Any]
#: The serving basis of one verdict: serving_g, servings_per_day, where each came
#: from, grams per day (tidied), the basis phrase (see ``rules.Intake``).
IntakeTuple = tuple[Any, Any, str, str, Any, str]
Got = Any  # True | None | False | tuple[str, dict | tuple[str, ...]]
Check = Callable[[Rule, Facts, IntakeTuple], Got]
Bounds4 = tuple[float, float, bool, bool]  # lo, hi, lo_open, hi_open, as rules.Bounds
#: As ``rules.Measure``: bounds or None, the reason when None, the results, the basis.
Measured = tuple[Bounds4 | None, str | None, tuple[Any, ...], str]

_MISS: Any = object()
_MEMO_SIZE = 4096
#: Passes are decided without tidy() below limit x (1 - _MARGIN) (see the docstring).
_MARGIN = 1e-9


def _delegate(rule: Rule, facts: Facts, intake: IntakeTuple) -> bool:
    """The check of a rule the compiler leaves to ``rules.judge``."""
    return False


# --- units -------------------------------------------------------------------------

class _Converter:
    """Conversion factors into one unit, memoised per printed spelling."""

    __slots__ = ("factors", "unit")

    def __init__(self, unit: str | None) -> None:
        self.unit = unit
        self.factors: dict[Any, float | None] = {}

    def factor(self, unit: Any) -> float | None:
        found = self.factors.get(unit, _MISS)
        if found is _MISS:
            found = conversion_factor(unit, self.unit)  # raises for a unit of an odd type
            if len(self.factors) >= _MEMO_SIZE:
                self.factors.clear()
            self.factors[unit] = found
        return found  # type: ignore[no-any-return]


_CONVERTERS: dict[Any, _Converter] = {}


def _converter(unit: str | None) -> _Converter:
    found = _CONVERTERS.get(unit)
    if found is None:
        if len(_CONVERTERS) >= _MEMO_SIZE:
            _CONVERTERS.clear()
        found = _CONVERTERS[unit] = _Converter(unit)
    return found


_PER_SERVING_UNITS: dict[Any, bool] = {}


def _per_serving_unit(unit: Any) -> bool:
    """``(normalize_unit(unit) or "").endswith("/serving")``, memoised."""
    found = _PER_SERVING_UNITS.get(unit)
    if found is None:
        found = (normalize_unit(unit) or "").endswith("/serving")
        if len(_PER_SERVING_UNITS) >= _MEMO_SIZE:
            _PER_SERVING_UNITS.clear()
        _PER_SERVING_UNITS[unit] = found
    return found


# --- results as bounds (rules.bounds_of, rules.measure) -----------------------------

_ZERO: Bounds4 = (0.0, 0.0, False, False)
_ABOVE_ZERO: Bounds4 = (0.0, INF, True, False)
_NUMBERLESS: Mapping[str, Bounds4] = {
    "not_detected": _ZERO, "nd": _ZERO, "detected": _ABOVE_ZERO, ">": _ABOVE_ZERO,
}
_SHAPED = ("=", "<", "nd", ">")


def _bounds(result: Any, conv: _Converter) -> tuple[Bounds4 | None, str | None]:
    """``rules.bounds_of``: (bounds, None) or (None, the reason)."""
    q = result.qualifier
    if q not in _SHAPED:
        found = _NUMBERLESS.get(q)
        return (found, None) if found else (None, f"unknown qualifier {q!r}")
    number = result.loq if q == "nd" else result.value
    if q == "<" and number is None:
        number = result.loq
    if number is None:
        found = _NUMBERLESS.get(q)
        return (found, None) if found else (None, f"no value for qualifier {q!r}")
    if result.unit is None:
        return None, f"{number:g} has no unit (the rule needs {conv.unit})"
    factor = conv.factor(result.unit)
    if factor is None:
        return None, f"unit mismatch: result in {result.unit!r}, the rule needs {conv.unit!r}"
    t = tidy(number * factor)
    if q == "=":
        return (t, t, False, False), None
    if q == ">":
        return (t, INF, True, False), None
    return (0.0, t, False, True), None


def _plus(a: Bounds4, b: Bounds4) -> Bounds4:
    return (tidy(a[0] + b[0]), tidy(a[1] + b[1]), a[2] or b[2], a[3] or b[3])


def _measure(facts: Facts, code: str, conv: _Converter) -> Measured | None:
    """``rules.measure``: as printed, else summed from the printed parts; None when the
    batch has neither."""
    result = facts.get(code)
    if result is not None:
        return (*_bounds(result, conv), (result,), "printed")
    composite = COMPOSITES.get(code)
    if composite is None or any(need not in facts for need in composite.needs):
        return None
    parts = [(facts[p], *_bounds(facts[p], conv)) for p in composite.parts if p in facts]
    results = tuple(r for r, _, _ in parts)
    basis = "sum of printed " + ", ".join(r.analyte for r in results)
    failed = [reason for _, b, reason in parts if b is None]
    if failed:
        return (None, failed[0], results, basis)
    total: Bounds4 = parts[0][1]  # type: ignore[assignment]
    for _, b, _ in parts[1:]:
        total = _plus(total, b)  # type: ignore[arg-type]
    return (total, None, results, basis)


def _summed_bounds(facts: Facts, code: str, conv: _Converter) -> Bounds4 | None | bool:
    """The bounds of ``_measure`` alone: False when the batch has neither, None when
    there is a reason instead."""
    result = facts.get(code)
    if result is not None:
        return _bounds(result, conv)[0]
    composite = COMPOSITES.get(code)
    if composite is None:
        return False
    for need in composite.needs:
        if need not in facts:
            return False
    total: Bounds4 | None = None
    for part in composite.parts:
        result = facts.get(part)
        if result is not None:
            b = _bounds(result, conv)[0]
            if b is None:
                return None
            total = b if total is None else _plus(total, b)
    return total


# --- explanations (rules._compare, _unknown, _scaled, the judge_* functions) ----------

def _qualifier(b: Bounds4) -> str:
    if b[0] == b[1]:
        return "="
    if math.isinf(b[1]):
        return ">"
    return "<" if b[0] == 0 else "range"


def _show(b: Bounds4, q: str) -> str:
    if q == "range":
        return f"{b[0]:g}-{b[1]:g}"
    return f"{'' if q == '=' else q + ' '}{b[0] if q in ('=', '>') else b[1]:g}"


def _state(op: str, b: Bounds4, limit: float) -> str:
    holds = OPERATORS[op]
    if holds(b[1], limit) or (b[3] and b[1] <= limit):
        return "pass"
    if not holds(b[0], limit) or (b[2] and b[0] >= limit):
        return "fail"
    return "unknown"


_VERDICT_WORDS: Mapping[str, str] = {
    "pass": "within", "fail": "breaks", "unknown": "cannot be judged against"}
_UNSETTLED: Mapping[str, str] = {
    "<": "only an upper bound is known and it is above the limit (reporting limit too high)",
    ">": "only a lower bound is known and it is below the limit",
    "range": "the true value may lie on either side of the limit",
}


def _result_dict(r: Any) -> dict[str, Any]:
    return {"analyte": r.analyte, "value": r.value, "unit": r.unit, "qualifier": r.qualifier,
            "loq": r.loq, "certificate_id": r.certificate_id,
            "tested": r.tested.isoformat() if r.tested else None}


def _measure_dict(found: Measured) -> dict[str, Any]:
    items = [_result_dict(r) for r in found[2]]
    if found[3] == "printed" and len(items) == 1:
        return items[0]
    return {"basis": found[3], "parts": items}


def _entry(rule: Rule, state: str, value: Any, unit: Any, message: str,
           details: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``evaluate.entry`` of an outcome, tagged with its state."""
    source = rule.source
    out = {"analyte": rule.analyte, "value": value, "unit": unit, "limit": rule.limit,
           "rule": rule.kind, "source": source.citation, "source_url": source.url,
           "rule_id": rule.id, "op": rule.op, "severity": rule.severity,
           "verified": rule.verified, "message": message}
    out.update(details)
    return state, out


def _compare(rule: Rule, found: Measured, bounds: Bounds4 | None, unit: Any,
             extra: dict[str, Any], via: str = "") -> Got:
    if bounds is None:
        bounds = found[0]
    if bounds is None or rule.limit is None:
        return _unknown(rule, unit, found[1] or "no limit", found, extra)
    state = _state(rule.op, bounds, rule.limit)
    if state == "pass":
        return True
    q = _qualifier(bounds)
    message = (f"{rule.analyte} {via}{_show(bounds, q)} {unit} {_VERDICT_WORDS[state]} "
               f"the limit {rule.op} {rule.limit:g} {unit}")
    details = {"qualifier": q, "measured": _measure_dict(found), **extra}
    if state == "unknown":
        details["reason"] = _UNSETTLED.get(q, _UNSETTLED["range"])
    point = bounds[0] if q in ("=", ">") else bounds[1]
    return _entry(rule, state, None if math.isinf(point) else point, unit, message, details)


def _unknown(rule: Rule, unit: Any, reason: str, found: Measured,
             extra: dict[str, Any] | None = None) -> Got:
    details = {"reason": reason, "measured": _measure_dict(found), **(extra or {})}
    return _entry(rule, "unknown", None, unit, f"{rule.analyte}: {reason}", details)


def _scaled(rule: Rule, found: Measured, amount: Any, per: str, per_gram: float,
            extra: dict[str, Any], unit: Any) -> Got:
    bounds = found[0]
    if bounds is None:
        return _unknown(rule, rule.unit, found[1] or "", found, extra)
    if amount is None:
        if bounds[1] == 0:
            return _compare(rule, found, _ZERO, rule.unit, extra)
        what = "daily intake" if per == "g/day" else "serving size"
        return _unknown(rule, rule.unit, f"{what} unknown: not on the product, no profile default",
                        found, extra)
    via = f"{_show(bounds, _qualifier(bounds))} {unit} x {amount:g} {per} = "
    k = per_gram * amount
    scaled = (tidy(bounds[0] * k), tidy(bounds[1] * k), bounds[2], bounds[3])
    return _compare(rule, found, scaled, rule.unit, extra, via)


# --- checks per kind -----------------------------------------------------------------

def _is_number(x: Any) -> bool:
    return isinstance(x, int | float)


def _comparing(rule: Rule) -> bool:
    """The fields every comparing kind needs, in the shapes the loader gives."""
    return (isinstance(rule.analyte, str) and _is_number(rule.limit)
            and isinstance(rule.op, str) and rule.op in ("<=", "<"))


class _Limit:
    """A rule's limit as the quick pass tests use it: ``safe`` is the limit less the
    margin (no value below it can reach the limit by tidy()), -inf when the limit is too
    small or too large for that; ``passes`` is ``rules.next_state(...) == "pass"`` for
    an upper end and whether it is open."""

    __slots__ = ("le", "limit", "safe")

    def __init__(self, rule: Rule) -> None:
        limit = rule.limit
        assert limit is not None
        self.limit, self.le = limit, rule.op == "<="
        self.safe = limit * (1 - _MARGIN) if 1e-200 < limit < 1e200 else -INF

    def passes(self, hi: float, hi_open: bool) -> bool:
        if self.le:
            return hi <= self.limit
        return hi < self.limit or (hi_open and hi <= self.limit)

    def passes_result(self, result: Any, conv: _Converter, k: float | None = None) -> bool:
        """Quick pass test of one printed result in ``conv``'s unit, times ``k`` (grams x
        per-gram factor, as ``Bounds.scaled``) when given: True when it passes; False
        when it may not (the explanation then decides)."""
        q = result.qualifier
        exact = False
        if q == "=":
            number, hi_open = result.value, False
        elif q == "<":
            number, hi_open = result.value, True
            if number is None:
                number = result.loq
        elif q == "nd":
            number, hi_open = result.loq, True
            if number is None:  # [0, 0]
                number, hi_open, exact = 0.0, False, True
        elif q == "not_detected":
            number, hi_open, exact = 0.0, False, True
        else:  # ">", "detected": no upper end; others give a reason
            return False
        if exact:
            x = number
        else:
            unit = result.unit
            if number is None or unit is None:
                return False
            factor = conv.factors.get(unit, _MISS)
            if factor is _MISS:
                factor = conv.factor(unit)
            if factor is None:
                return False
            x = number * factor
        if k is None:
            if x < self.safe:
                return True
            hi = x if exact else tidy(x)
        else:
            if x * k < self.safe:
                return True
            hi = tidy((x if exact else tidy(x)) * k)
        if self.le:
            return hi <= self.limit
        return hi < self.limit or (hi_open and hi <= self.limit)


def _check_max(rule: Rule) -> Check | None:
    if not _comparing(rule):
        return None
    code, conv, pass_ = rule.analyte, _converter(rule.unit), _Limit(rule)
    composite = code in COMPOSITES

    def check(rule: Rule, facts: Facts, intake: IntakeTuple) -> Got:
        result = facts.get(code)
        if result is not None:
            if pass_.passes_result(result, conv):
                return True
        elif composite:
            b = _summed_bounds(facts, code, conv)
            if b is False:
                return None
            if b is not None and pass_.passes(b[1], b[3]):  # type: ignore[index]
                return True
        else:
            return None
        found = _measure(facts, code, conv)  # rules.judge_max
        if found is None:
            return None
        return _compare(rule, found, found[0], rule.unit, {})
    return check


_ABSENCE_WORDS: Mapping[str, str] = {
    "pass": "absent", "fail": "present, must be absent", "unknown": "cannot show absence"}
_ABSENCE: Mapping[str, str] = {
    "not_detected": "pass", "nd": "pass", "detected": "fail", ">": "fail", "<": "unknown"}


def _check_absent(rule: Rule) -> Check | None:
    code = rule.analyte
    if not isinstance(code, str):
        return None

    def check(rule: Rule, facts: Facts, intake: IntakeTuple) -> Got:
        result = facts.get(code)
        if result is None:
            return None
        q, value = result.qualifier, result.value
        if q != "=":
            state = _ABSENCE.get(q, "unknown")
        elif value is None:
            state = "unknown"
        else:
            state = "fail" if value > 0 else "pass"
        shown = q if value is None else f"{q} {value:g}"  # formatted even on a pass, as rules.py
        if state == "pass":
            return True
        message = f"{rule.analyte} {shown}: {_ABSENCE_WORDS[state]}"
        return _entry(rule, state, value, result.unit, message, {"measured": _result_dict(result)})
    return check


def _check_ratio(rule: Rule) -> Check | None:
    if not _comparing(rule) or rule.analyte not in ANALYTES or not isinstance(rule.denominator, str):
        return None
    num_code, den_code = rule.analyte, rule.denominator
    conv = _converter(ANALYTES[num_code].unit)  # type: ignore[index]
    pass_ = _Limit(rule)

    def check(rule: Rule, facts: Facts, intake: IntakeTuple) -> Got:
        n = _summed_bounds(facts, num_code, conv)  # type: ignore[arg-type]
        if n is False:
            return None
        d = _summed_bounds(facts, den_code, conv)
        if n is not None:
            if n[1] == 0:  # type: ignore[index]
                if pass_.passes(0.0, False):
                    return True
            elif d is not None and d is not False:
                hi = INF if d[0] == 0 else n[1] / d[0]  # type: ignore[index]  # Bounds.over, .scaled(100)
                if pass_.passes(tidy(tidy(hi) * 100.0), n[3] or d[2]):  # type: ignore[index]
                    return True
        num = _measure(facts, num_code, conv)  # type: ignore[arg-type]  # rules.judge_ratio
        if num is None:
            return None
        den = _measure(facts, den_code, conv)
        shown_unit = f"% of {rule.denominator}"
        nb = num[0]
        if nb is not None and nb[1] == 0:
            return _compare(rule, num, _ZERO, shown_unit, {})
        if nb is None or den is None or den[0] is None:
            reason = num[1] or (den and den[1]) or f"no {rule.denominator} result to divide by"
            return _unknown(rule, shown_unit, reason, num)
        db = den[0]
        hi = INF if db[0] == 0 else nb[1] / db[0]
        lo = 0.0 if db[1] == 0 or math.isinf(db[1]) else nb[0] / db[1]
        over = (tidy(lo), tidy(hi), nb[2] or db[3], nb[3] or db[2])
        ratio = (tidy(over[0] * 100.0), tidy(over[1] * 100.0), over[2], over[3])
        return _compare(rule, num, ratio, shown_unit, {"denominator": _measure_dict(den)})
    return check


def _scaling(rule: Rule) -> tuple[str, _Converter, str | None, float, _Limit] | None:
    """What exposure and per-serving checks share: the analyte, its converter and
    canonical unit, the rule's mass per gram of product per unit, the pass test."""
    if not _comparing(rule) or rule.analyte not in ANALYTES:
        return None
    unit = ANALYTES[rule.analyte].unit  # type: ignore[index]
    per_gram = mass_per_gram(unit or "", (rule.unit or "").partition("/")[0])
    if per_gram is None:  # rules._per_gram raises: leave that to rules.py
        return None
    return rule.analyte, _converter(unit), unit, per_gram, _Limit(rule)  # type: ignore[return-value]


def _scaled_pass(facts: Facts, code: str, conv: _Converter, k: float, limit: _Limit) -> bool | None:
    """Quick pass test of a result x grams (``k``: per-gram factor x grams); None when
    the batch has no result for ``code``."""
    result = facts.get(code)
    if result is not None:
        return limit.passes_result(result, conv, k)
    b = _summed_bounds(facts, code, conv)
    if b is False:
        return None
    return b is not None and limit.passes(tidy(b[1] * k), b[3])  # type: ignore[index]


def _check_exposure(rule: Rule) -> Check | None:
    shared = _scaling(rule)
    if shared is None:
        return None
    code, conv, unit, per_gram, pass_ = shared

    def check(rule: Rule, facts: Facts, intake: IntakeTuple) -> Got:
        daily = intake[4]
        if daily is not None:
            quick = _scaled_pass(facts, code, conv, per_gram * daily, pass_)
            if quick is None:
                return None
            if quick:
                return True
        found = _measure(facts, code, conv)  # rules.judge_exposure
        if found is None:
            return None
        extra = {"daily_intake_g": daily, "intake_basis": intake[5]}
        return _scaled(rule, found, daily, "g/day", per_gram, extra, unit)
    return check


def _check_per_serving(rule: Rule) -> Check | None:
    shared = _scaling(rule)
    if shared is None:
        return None
    code, conv, unit, per_gram, pass_ = shared
    as_printed = _converter(rule.unit)

    def check(rule: Rule, facts: Facts, intake: IntakeTuple) -> Got:
        result = facts.get(code)
        if result is not None and _per_serving_unit(result.unit):  # a per-serving result
            if pass_.passes_result(result, as_printed):
                return True
            printed = (*_bounds(result, as_printed), (result,), "printed")
            return _compare(rule, printed, None, rule.unit, {})  # type: ignore[arg-type]
        serving = intake[0]
        if serving is not None:
            quick = _scaled_pass(facts, code, conv, per_gram * serving, pass_)
            if quick is None:
                return None
            if quick:
                return True
        found = _measure(facts, code, conv)  # rules.judge_per_serving
        if found is None:
            return None
        extra = {"serving_g": serving, "intake_basis": intake[2]}
        return _scaled(rule, found, serving, "g/serving", per_gram, extra, unit)
    return check


def _check_required(rule: Rule) -> Check | None:
    codes = rule.analytes
    if not isinstance(codes, tuple) or not all(isinstance(c, str) for c in codes):
        return None
    wanted = tuple((c, COMPOSITES[c].needs if c in COMPOSITES else None) for c in codes)

    def check(rule: Rule, facts: Facts, intake: IntakeTuple) -> Got:
        missing = tuple(code for code, needs in wanted if code not in facts and (
            needs is None or not all(n in facts for n in needs)))
        return ("missing", missing) if missing else True
    return check


_COMPILERS: Mapping[str, Callable[[Rule], Check | None]] = {
    "max": _check_max, "absent": _check_absent, "ratio": _check_ratio,
    "exposure": _check_exposure, "per_serving": _check_per_serving, "required": _check_required,
}


def compile_rule(rule: Rule) -> Check:
    """The check of one rule (see the module docstring)."""
    compiler = _COMPILERS.get(rule.kind) if isinstance(rule.kind, str) else None
    try:
        return (compiler(rule) if compiler else None) or _delegate
    except Exception:  # noqa: BLE001 - a field of an odd type: rules.py judges (or raises)
        return _delegate


# --- compiled profiles -------------------------------------------------------------

@dataclass(slots=True)
class Compiled:
    """A profile object with its checks and what evaluate() reuses between calls: the
    (rule, check) pairs that apply per product form and the default serving basis."""

    profile: Profile
    checks: tuple[Check, ...]
    pairs: tuple[tuple[Rule, Check], ...] = ()
    any_forms: bool = False
    by_form: dict[Any, tuple[tuple[tuple[Rule, Check], ...], tuple[str, ...]]] = field(default_factory=dict)
    default_intake: IntakeTuple | None = None

    def __post_init__(self) -> None:
        self.pairs = tuple(zip(self.profile.rules, self.checks, strict=True))
        self.any_forms = any(rule.applies_to for rule in self.profile.rules)

    def for_form(self, form: Any) -> tuple[tuple[tuple[Rule, Check], ...], tuple[str, ...]]:
        """The (rule, check) pairs that apply to a product of ``form`` and the ids of the
        other rules, as ``evaluate.applies`` decides."""
        if not self.any_forms:
            return self.pairs, ()
        found = self.by_form.get(form)
        if found is None:
            def applies(rule: Rule) -> bool:
                return not rule.applies_to or form is None or form in rule.applies_to
            found = (tuple(p for p in self.pairs if applies(p[0])),
                     tuple(r.id for r, _ in self.pairs if not applies(r)))
            if len(self.by_form) >= 64:
                self.by_form.clear()
            self.by_form[form] = found
        return found


_BY_ID: dict[int, Compiled] = {}
_BY_VALUE: dict[Profile, tuple[Check, ...]] = {}
_PROFILE_CACHE_SIZE = 256


def compiled(profile: Profile) -> Compiled:
    """The compiled form of ``profile``, from the cache when this object (or an equal
    profile) was compiled before."""
    found = _BY_ID.get(id(profile))
    if found is not None and found.profile is profile:
        return found
    try:
        checks = _BY_VALUE.get(profile)
    except TypeError:  # a hand-built profile holding something unhashable
        checks, hashable = None, False
    else:
        hashable = True
    if checks is None:
        checks = tuple(compile_rule(rule) for rule in profile.rules)
        if hashable:
            if len(_BY_VALUE) >= _PROFILE_CACHE_SIZE:
                _BY_VALUE.clear()
            _BY_VALUE[profile] = checks
    found = Compiled(profile, checks)
    if len(_BY_ID) >= _PROFILE_CACHE_SIZE:
        _BY_ID.clear()
    _BY_ID[id(profile)] = found
    return found
