"""Profiles compiled once into per-rule quick pass tests: the fast path of :func:`evaluate`.

``rules.py`` defines every rule kind, one readable function per kind that explains its
judgement. Most rules of most batches simply pass, and a pass needs nothing in the
verdict but the rule's id; this module decides those passes fast:

* a profile is compiled once into one *check* per rule, with the analyte's unit, the
  conversion factors (memoised per printed spelling), the per-gram factor of exposure
  and per-serving rules, composites and the comparison resolved up front;
* a check decides, on the upper end of the result's interval only, whether the rule
  passes. Away from the limit (by a relative 1e-9, far more than the 1e-11 that
  ``tidy`` can move a value) the pass is decided without ``tidy``; near it, with
  ``tidy`` at the same steps as ``rules.py``.

A check answers ``True`` (passes), ``None`` (the batch has no result for the rule, as
``rules.judge`` returning None), or ``False``: anything else (a fail, an inconclusive
rule, a missing test, a shape the compiler does not know) is left to ``rules.judge``,
which explains it. A quick pass is only ever given where ``rules.py`` passes too: it
never uses an assumption ``rules.py`` refuses (an ND without an LOQ passes only on the
rule's method LOQ; a sum of printed alkaloids never passes a cap on the total; a
profile's default intake is never used; named alkaloid sets are
left to ``rules.py``, and so is a presence test of an analyte tested more than once).
``tests/thresholds/test_differential.py`` holds the verdicts to the plain evaluation.

Compiled profiles are cached per :class:`Profile` object (by identity, holding the
object so that its id is not reused) and, for profiles rebuilt from equal data, by
value. Checks read every figure they print from the rule they are given (the rule of
the profile being evaluated), so equal profiles may share them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from registry.thresholds.analytes import (
    ANALYTES,
    COMPOSITES,
    conversion_factor,
    mass_per_gram,
    normalize_unit,
)
from registry.thresholds.model import Profile, Rule, form_applies
from registry.thresholds.rules import INF, tidy

Facts = Mapping[str, Any]


class IntakeBasis(NamedTuple):
    """The serving basis of one verdict (see ``rules.Intake``): a named tuple, since it
    is part of the key under which explained outcomes are remembered."""

    serving_g: Any
    servings_per_day: Any
    serving_from: str  # "product" or "unknown"
    per_day_from: str
    daily_g: Any  # grams per day (tidied), or None
    basis: str  # where the figures came from, in one phrase


Got = Any  # True | None | False | tuple[str, dict | tuple[str, ...]]
Check = Callable[[Rule, Facts, IntakeBasis], Got]
Bounds4 = tuple[float, float, bool, bool]  # lo, hi, lo_open, hi_open, as rules.Bounds
#: As ``rules.Measure``: bounds or None, the reason when None, the results, the basis.
Measured = tuple[Bounds4 | None, str | None, tuple[Any, ...], str]

_MISS: Any = object()
_MEMO_SIZE = 4096
#: Passes are decided without tidy() below limit x (1 - _MARGIN) (see the docstring).
_MARGIN = 1e-9


def _delegate(rule: Rule, facts: Facts, intake: IntakeBasis) -> bool:
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


# --- results as upper ends (rules.bounds_of, rules.measure) --------------------------

Bounds2 = tuple[float, bool]  # hi, hi_open


def _upper(result: Any, conv: _Converter, method_loq: float | None) -> Bounds2 | None:
    """The upper end of ``rules.bounds_of`` (without ``value - U``, which only lowers
    it): None when it has none or there is a reason instead."""
    q = result.qualifier
    if q == "not_detected":
        return 0.0, False
    if q not in ("=", "<", "nd"):
        return None
    number = result.loq if q == "nd" else result.value
    if q == "<" and number is None:
        number = result.loq
    if number is None:
        if q == "nd" and method_loq is not None:
            return tidy(method_loq), True
        return None
    if result.unit is None:
        return None
    factor = conv.factor(result.unit)
    if factor is None:
        return None
    return tidy(number * factor), q != "="


def _summed_upper(
    facts: Facts, code: str, conv: _Converter, method_loq: float | None
) -> Bounds2 | None | bool:
    """The upper end of ``rules.measure``: False when the batch has neither the whole
    nor its needed parts; None when there is no finite upper end (a reason, or a
    ``partial`` composite, whose sum is only a lower bound)."""
    result = facts.get(code)
    if result is not None:
        return _upper(result, conv, method_loq)
    composite = COMPOSITES.get(code)
    if composite is None:
        return False
    for need in composite.needs:
        if need not in facts:
            return False
    if composite.partial:
        return None
    hi, hi_open, any_ = 0.0, False, False
    for part in composite.parts:
        result = facts.get(part)
        if result is not None:
            b = _upper(result, conv, method_loq)
            if b is None:
                return None
            hi = b[0] if not any_ else tidy(hi + b[0])
            hi_open, any_ = hi_open or b[1], True
    return hi, hi_open


def _lower_sum(facts: Facts, code: str, conv: _Converter) -> float | None:
    """The lower end of ``rules.measure`` for a ratio's denominator (the printed whole,
    else the sum of its printed parts); None when unknown."""
    result = facts.get(code)
    if result is not None:
        return _lower(result, conv)
    composite = COMPOSITES.get(code)
    if composite is None or any(need not in facts for need in composite.needs):
        return None
    total, any_ = 0.0, False
    for part in composite.parts:
        result = facts.get(part)
        if result is not None:
            lo = _lower(result, conv)
            if lo is None:
                return None
            total = lo if not any_ else tidy(total + lo)
            any_ = True
    return total


def _lower(result: Any, conv: _Converter) -> float | None:
    q = result.qualifier
    if q in ("<", "nd", "not_detected", "detected"):
        return 0.0 if q != "<" or result.value is not None or result.loq is not None else None
    if q not in ("=", ">") or result.value is None or result.unit is None:
        return None
    factor = conv.factor(result.unit)
    return None if factor is None else tidy(result.value * factor)


# --- checks per kind -----------------------------------------------------------------


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float)


def _comparing(rule: Rule) -> bool:
    """The fields every comparing kind needs, in the shapes the loader gives."""
    return (
        isinstance(rule.analyte, str)
        and _is_number(rule.limit)
        and isinstance(rule.op, str)
        and rule.op in ("<=", "<")
        and (rule.method_loq is None or _is_number(rule.method_loq))
    )


class _Limit:
    """A rule's limit as the quick pass tests use it: ``safe`` is the limit less the
    margin (no value below it can reach the limit by tidy()), -inf when the limit is too
    small or too large for that; ``passes`` is ``rules.next_state(...) == "pass"`` for
    an upper end and whether it is open."""

    __slots__ = ("le", "limit", "method_loq", "safe")

    def __init__(self, rule: Rule) -> None:
        limit = rule.limit
        assert limit is not None
        self.limit, self.le = limit, rule.op == "<="
        self.safe = limit * (1 - _MARGIN) if 1e-200 < limit < 1e200 else -INF
        self.method_loq = rule.method_loq

    def passes(self, hi: float, hi_open: bool) -> bool:
        if self.le:
            return hi <= self.limit
        return hi < self.limit or (hi_open and hi <= self.limit)

    def passes_result(self, result: Any, conv: _Converter, k: float | None = None) -> bool:
        """Quick pass test of one printed result in ``conv``'s unit, times ``k`` (grams x
        per-gram factor, as ``Bounds.scaled``) when given: True when it passes; False
        when it may not (``rules.py`` then decides)."""
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
            if number is None:  # no printed LOQ: only the method LOQ the rule names
                if self.method_loq is None:
                    return False
                number, exact = self.method_loq, True
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
            hi = tidy(x)
        else:
            if x * k < self.safe:
                return True
            hi = tidy(tidy(x) * k)
        if self.le:
            return hi <= self.limit
        return hi < self.limit or (hi_open and hi <= self.limit)


def _check_max(rule: Rule) -> Check | None:
    if not _comparing(rule):
        return None
    code, conv, pass_ = rule.analyte or "", _converter(rule.unit), _Limit(rule)
    composite = code in COMPOSITES

    def check(rule: Rule, facts: Facts, intake: IntakeBasis) -> Got:
        result = facts.get(code)
        if result is not None:
            return pass_.passes_result(result, conv)
        if not composite:
            return None
        b = _summed_upper(facts, code, conv, pass_.method_loq)
        if b is False:
            return None
        return b is not None and pass_.passes(*b)  # type: ignore[misc]

    return check


def _check_absent(rule: Rule) -> Check | None:
    """A negative call passes unless the COA prints a tested mass below the rule's; all
    else (counts, positives, retests: ``evaluate`` never asks this check about an
    analyte tested more than once) is left to ``rules.py``."""
    code, need = rule.analyte, rule.sample_g
    if not isinstance(code, str) or not (need is None or _is_number(need)):
        return None

    def check(rule: Rule, facts: Facts, intake: IntakeBasis) -> Got:
        result = facts.get(code)
        if result is None:
            return None
        if result.qualifier not in ("not_detected", "nd"):
            return False
        if result.value is not None:
            f"{result.value:g}"  # noqa: B018 - rules.py formats it even on a pass, and raises alike
        mass = result.sample_g
        return need is None or mass is None or (_is_number(mass) and mass >= need)

    return check


def _check_ratio(rule: Rule) -> Check | None:
    if (
        not _comparing(rule)
        or rule.analyte not in ANALYTES
        or not isinstance(rule.denominator, str)
        or rule.denominator_set
    ):
        return None
    num_code, den_code = rule.analyte, rule.denominator
    conv = _converter(ANALYTES[num_code].unit)  # type: ignore[index]
    pass_ = _Limit(rule)

    def check(rule: Rule, facts: Facts, intake: IntakeBasis) -> Got:
        n = _summed_upper(facts, num_code, conv, pass_.method_loq)  # type: ignore[arg-type]
        if n is False:
            return None
        if n is None:
            return False
        if n[0] == 0:  # type: ignore[index]
            return pass_.passes(0.0, False)
        d = _lower_sum(facts, den_code, conv)
        if not d:  # unknown, or zero: no finite share
            return False
        return pass_.passes(tidy(tidy(n[0] / d) * 100.0), n[1])  # type: ignore[index]

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
    b = _summed_upper(facts, code, conv, limit.method_loq)
    if b is False:
        return None
    return b is not None and limit.passes(tidy(b[0] * k), b[1])  # type: ignore[index]


def _present(facts: Facts, code: str) -> bool:
    composite = COMPOSITES.get(code)
    return code in facts or (composite is not None and all(n in facts for n in composite.needs))


def _check_exposure(rule: Rule) -> Check | None:
    shared = _scaling(rule)
    if shared is None or not (rule.max_daily_g is None or _is_number(rule.max_daily_g)):
        return None
    code, conv, unit, per_gram, pass_ = shared
    scope = rule.max_daily_g

    def check(rule: Rule, facts: Facts, intake: IntakeBasis) -> Got:
        daily = intake.daily_g
        if daily is None or (scope is not None and daily > scope):  # inconclusive, or out of scope
            return False if _present(facts, code) else None
        return _scaled_pass(facts, code, conv, per_gram * daily, pass_)

    return check


def _check_per_serving(rule: Rule) -> Check | None:
    shared = _scaling(rule)
    if shared is None:
        return None
    code, conv, unit, per_gram, pass_ = shared
    as_printed = _converter(rule.unit)
    printed_limit = _Limit(rule)
    printed_limit.method_loq = None  # a per-serving ND: not on the analyte's own scale

    def check(rule: Rule, facts: Facts, intake: IntakeBasis) -> Got:
        result = facts.get(code)
        if result is not None and _per_serving_unit(result.unit):  # a per-serving result
            return printed_limit.passes_result(result, as_printed)
        serving = intake.serving_g
        if serving is None:
            return False if _present(facts, code) else None
        return _scaled_pass(facts, code, conv, per_gram * serving, pass_)

    return check


def _check_required(rule: Rule) -> Check | None:
    codes = rule.analytes
    if not isinstance(codes, tuple) or not all(isinstance(c, str) for c in codes):
        return None
    wanted = tuple((c, COMPOSITES[c].needs if c in COMPOSITES else None) for c in codes)

    def check(rule: Rule, facts: Facts, intake: IntakeBasis) -> Got:
        for code, needs in wanted:
            if code not in facts and (needs is None or not all(n in facts for n in needs)):
                return False
        return True

    return check


_COMPILERS: Mapping[str, Callable[[Rule], Check | None]] = {
    "max": _check_max,
    "absent": _check_absent,
    "ratio": _check_ratio,
    "exposure": _check_exposure,
    "per_serving": _check_per_serving,
    "required": _check_required,
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
    by_form: dict[Any, tuple[tuple[tuple[Rule, Check], ...], tuple[str, ...]]] = field(
        default_factory=dict
    )
    #: Each rule's codes read (see :func:`codes_read`), by rule object id.
    reads: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: Outcomes ``rules.py`` explained, by (rule id, intake, form known, results read):
    #: a rule that does not simply pass is usually the same rule on the same printed
    #: figures (no intake on the label, say), and explaining it costs far more than a pass.
    explained: dict[Any, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pairs = tuple(zip(self.profile.rules, self.checks, strict=True))
        self.any_forms = any(rule.applies_to for rule in self.profile.rules)
        self.reads = {id(rule): codes_read(rule) for rule in self.profile.rules}

    def for_form(self, form: Any) -> tuple[tuple[tuple[Rule, Check], ...], tuple[str, ...]]:
        """The (rule, check) pairs that apply to a product of ``form`` and the ids of the
        other rules, as ``evaluate.applies`` decides."""
        if not self.any_forms:
            return self.pairs, ()
        found = self.by_form.get(form)
        if found is None:

            def applies(rule: Rule) -> bool:
                return form_applies(rule.applies_to, form)

            found = (
                tuple(p for p in self.pairs if applies(p[0])),
                tuple(r.id for r, _ in self.pairs if not applies(r)),
            )
            if len(self.by_form) >= 64:
                self.by_form.clear()
            self.by_form[form] = found
        return found


def codes_read(rule: Rule) -> tuple[str, ...]:
    """Every analyte code a rule's outcome depends on (wholes with their parts)."""
    codes: list[str] = []
    for code in (rule.analyte, rule.denominator, *rule.analytes, *rule.denominator_set):
        if isinstance(code, str) and code not in codes:
            codes.append(code)
            if code in COMPOSITES:
                codes.extend(p for p in COMPOSITES[code].parts if p not in codes)
    return tuple(codes)


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
