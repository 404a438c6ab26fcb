"""Small builders for threshold tests: rules, profiles, results and a clean kratom batch."""

from __future__ import annotations

from functools import cache
from typing import Any

from registry.thresholds import (
    ANALYTES,
    Defaults,
    LabResult,
    ProductInfo,
    Profile,
    Rule,
    Source,
    evaluate,
    load_shipped_profiles,
)
from registry.thresholds.evaluate import history
from registry.thresholds.rules import RuleContext, RuleOutcome, judge, resolve_intake

_CANONICAL = object()


def make_rule(kind: str, **fields: Any) -> Rule:
    """A rule with a placeholder source."""
    fields.setdefault("id", "r")
    return Rule(
        kind=kind,
        source=Source("test source", "https://example.org/"),  # type: ignore[arg-type]
        verified="primary",
        **fields,
    )


def make_profile(*rules: Rule, defaults: Defaults | None = None, code: str = "test") -> Profile:
    """A profile around ``rules``."""
    return Profile(
        code=code,
        name="Test",
        jurisdiction="nowhere",
        version=1,
        effective=None,
        note="",
        defaults=defaults or Defaults(),
        rules=rules,
    )


def res(
    analyte: str,
    value: float | None = None,
    unit: Any = _CANONICAL,
    qualifier: str = "=",
    loq: float | None = None,
    **extra: Any,
) -> LabResult:
    """A result, in the analyte's canonical unit unless ``unit`` is given."""
    if unit is _CANONICAL:
        unit = ANALYTES[analyte].unit
    return LabResult(
        analyte=analyte,
        category=ANALYTES[analyte].category,
        value=value,
        unit=unit,
        qualifier=qualifier,
        loq=loq,
        **extra,
    )


def outcome(
    rule: Rule,
    results: list[LabResult],
    product: ProductInfo | None = None,
    defaults: Defaults | None = None,
) -> RuleOutcome | None:
    """One rule judged on ``results``."""
    ctx = RuleContext(
        {r.analyte: r for r in results},
        resolve_intake(product or ProductInfo()),
        history(results),
        defaults or Defaults(),
    )
    return judge(rule, ctx)


def state(
    rule: Rule,
    results: list[LabResult],
    product: ProductInfo | None = None,
    defaults: Defaults | None = None,
) -> str | None:
    """The state of one rule on ``results`` (None: not tested)."""
    found = outcome(rule, results, product, defaults)
    return None if found is None else found.state


@cache
def shipped() -> dict[str, Profile]:
    """The shipped profiles by code."""
    return {p.code: p for p in load_shipped_profiles()}


def clean_batch(**changes: LabResult | None) -> list[LabResult]:
    """A leaf-powder batch that passes every shipped profile's limits (lead 0.3 ug/g
    still asks for a Prop 65 warning at 10 g/day). ``name=None`` drops a result,
    ``name=res(...)`` replaces it."""
    batch = {
        "mitragynine": res("mitragynine", 1.4),
        "7_hydroxymitragynine": res("7_hydroxymitragynine", 0.018),
        "total_alkaloids": res("total_alkaloids", 1.8),
        "lead": res("lead", 0.3),
        "arsenic": res("arsenic", 0.4),
        "cadmium": res("cadmium", 0.1),
        "mercury": res("mercury", qualifier="nd", loq=0.005),
        "total_aerobic_count": res("total_aerobic_count", 20000),
        "yeast_and_mold": res("yeast_and_mold", 300),
        "enterobacteriaceae": res("enterobacteriaceae", 10, qualifier="<"),
        "total_coliforms": res("total_coliforms", 10, qualifier="<"),
        "salmonella": res("salmonella", qualifier="not_detected"),
        "e_coli": res("e_coli", qualifier="not_detected"),
    }
    for name, result in changes.items():
        if result is None:
            batch.pop(name)
        else:
            batch[name] = result
    return list(batch.values())


def verdict_of(
    code: str, results: list[LabResult], product: ProductInfo | None = None
) -> dict[str, Any]:
    """A shipped profile's verdict as the contract's JSON."""
    return evaluate(shipped()[code], results, product).to_dict()
