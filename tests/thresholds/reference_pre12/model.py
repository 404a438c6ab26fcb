# FROZEN pre-optimisation reference (test-only): see __init__.py. Do not edit.
"""The engine's frozen dataclasses: profiles and their rules (loaded from YAML), the
results and product facts a verdict is computed from, and the verdict itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["max", "absent", "ratio", "exposure", "per_serving", "required"]
Verification = Literal["primary", "secondary", "unverified"]
Severity = Literal["fail", "warning"]
Status = Literal["pass", "fail", "incomplete"]

#: Rule kinds, in the order the package docstring explains them.
RULE_KINDS: tuple[str, ...] = ("max", "absent", "ratio", "exposure", "per_serving", "required")
#: Verification marks, mirroring thresholds.md's [V], [S] and [U].
VERIFICATIONS: tuple[str, ...] = ("primary", "secondary", "unverified")
SEVERITIES: tuple[str, ...] = ("fail", "warning")
#: Verdict statuses from best to worst: a verdict takes the worst its rules give.
STATUSES: tuple[Status, ...] = ("pass", "incomplete", "fail")
#: Qualifiers of the parse contract.
QUALIFIERS: tuple[str, ...] = ("=", "<", ">", "nd", "not_detected", "detected")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule's figure comes from."""

    citation: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Defaults:
    """A profile's exposure basis when the product does not state its own."""

    serving_g: float | None = None
    servings_per_day: float | None = None

    @property
    def daily_intake_g(self) -> float | None:
        """Grams per day, or None when either factor is unknown."""
        if self.serving_g is None or self.servings_per_day is None:
            return None
        return self.serving_g * self.servings_per_day


@dataclass(frozen=True, slots=True)
class Rule:
    """One limit of a profile. Which fields a kind uses is checked when loading."""

    id: str
    kind: Kind
    source: Source
    verified: Verification
    analyte: str | None = None  # max, absent, exposure, per_serving; ratio numerator
    analytes: tuple[str, ...] = ()  # required
    denominator: str | None = None  # ratio
    limit: float | None = None
    unit: str | None = None  # the limit's unit
    op: str = "<="  # "<=" or "<", from the text ("NMT", "not greater than" or "less than")
    severity: Severity = "fail"  # "warning": a breach asks for a warning, not a ban
    applies_to: tuple[str, ...] = ()  # product forms (e.g. "leaf"); empty: every product
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """A named, versioned set of rules: a law, a standard or a guidance."""

    code: str
    name: str
    jurisdiction: str
    version: int
    effective: date | None
    note: str
    defaults: Defaults
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; ``KeyError`` when there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


@dataclass(frozen=True, slots=True)
class LabResult:
    """One result as a verdict needs it: the parse contract's fields, plus which
    certificate it came from and when that was tested (to pick the latest)."""

    analyte: str
    category: str | None = None
    value: float | None = None
    unit: str | None = None
    qualifier: str = "="
    loq: float | None = None
    certificate_id: int | None = None
    tested: date | None = None

    @classmethod
    def from_dict(
        cls,
        d: dict[str, Any],
        *,
        certificate_id: int | None = None,
        tested: date | str | None = None,
    ) -> LabResult:
        """A result from a contract ``results`` item (extra keys are ignored)."""
        when = d.get("tested", tested)
        return cls(
            analyte=d["analyte"],
            category=d.get("category"),
            value=d.get("value"),
            unit=d.get("unit"),
            qualifier=d.get("qualifier") or "=",
            loq=d.get("loq"),
            certificate_id=d.get("certificate_id", certificate_id),
            tested=date.fromisoformat(when) if isinstance(when, str) else when,
        )


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """What the label says, when known. ``form`` is matched against ``Rule.applies_to``
    (``leaf``, ``extract``, ...); unknown facts fall back to the profile's defaults."""

    serving_g: float | None = None
    servings_per_day: float | None = None
    form: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A batch judged under one profile. ``to_dict`` gives the contract's verdict JSON."""

    profile: str
    profile_version: int
    status: Status
    failures: tuple[dict[str, Any], ...] = ()
    missing: tuple[str, ...] = ()
    inconclusive: tuple[dict[str, Any], ...] = ()
    warnings: tuple[dict[str, Any], ...] = ()
    passed: tuple[str, ...] = ()  # ids of the rules that passed
    not_tested: tuple[str, ...] = ()  # analytes of optional rules with no result
    not_applicable: tuple[str, ...] = ()  # ids of rules skipped for the product's form
    intake: dict[str, Any] = field(default_factory=dict)  # serving basis used, see Intake

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data: the contract's keys first, then the extras."""
        return {
            "profile": self.profile,
            "profile_version": self.profile_version,
            "status": self.status,
            "failures": [dict(f) for f in self.failures],
            "missing": list(self.missing),
            "inconclusive": [dict(i) for i in self.inconclusive],
            "warnings": [dict(w) for w in self.warnings],
            "passed": list(self.passed),
            "not_tested": list(self.not_tested),
            "not_applicable": list(self.not_applicable),
            "intake": dict(self.intake),
        }
