"""The engine's frozen dataclasses: profiles and their rules (loaded from YAML), the
results and product facts a verdict is computed from, and the verdict itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, NamedTuple

Kind = Literal["max", "absent", "ratio", "exposure", "per_serving", "required"]
Verification = Literal["primary", "secondary", "unverified"]
Severity = Literal["fail", "warning"]


class VerdictStatus(StrEnum):
    """A verdict's status (stored as its value). Worst first: ``fail`` (a rule of
    severity fail is broken), ``warning`` (only a warning rule is: a Prop 65 label),
    ``incomplete`` (a required test is missing, a result cannot be judged, or nothing
    the profile judges was tested), ``pass``."""

    PASS = "pass"
    WARNING = "warning"
    INCOMPLETE = "incomplete"
    FAIL = "fail"


Status = VerdictStatus
#: Product forms (``Product.form``); ``applies_to`` names some of them.
FORMS: tuple[str, ...] = (
    "leaf_powder",
    "capsules",
    "extract",
    "tablet",
    "liquid_shot",
    "other",
    "unknown",
)
#: Older spellings in ``applies_to`` (custom profiles written before the forms were
#: named): ``leaf`` means leaf material, loose or in capsules.
FORM_ALIASES: dict[str, tuple[str, ...]] = {
    "leaf": ("leaf_powder", "capsules"),
    "capsule": ("capsules",),
}


def form_applies(applies_to: tuple[str, ...], form: str | None) -> bool:
    """Whether a rule limited to ``applies_to`` (empty: every product) applies to a
    product of ``form`` (None: unknown, so it may)."""
    if not applies_to or form is None:
        return True
    return any(form == named or form in FORM_ALIASES.get(named, ()) for named in applies_to)


#: Rule kinds, in the order the package docstring explains them.
RULE_KINDS: tuple[str, ...] = ("max", "absent", "ratio", "exposure", "per_serving", "required")
#: Verification marks: read in primary text, in a secondary source, or not confirmed.
VERIFICATIONS: tuple[str, ...] = ("primary", "secondary", "unverified")
SEVERITIES: tuple[str, ...] = ("fail", "warning")
#: Verdict statuses from best to worst: a verdict takes the worst its rules give.
STATUSES: tuple[VerdictStatus, ...] = (
    VerdictStatus.PASS,
    VerdictStatus.INCOMPLETE,
    VerdictStatus.WARNING,
    VerdictStatus.FAIL,
)
#: Why a verdict no rule could judge is incomplete.
NOTHING_JUDGED = "nothing this profile judges was tested"
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
    applies_to: tuple[str, ...] = ()  # product forms (see FORMS); empty: every product
    note: str | None = None
    #: The source's sentence that decides whether a value equal to the limit passes.
    op_wording: str | None = None
    #: ratio: the alkaloids the rule's own text sums into the total (used when the total
    #: is not printed and every one of them is).
    denominator_set: tuple[str, ...] = ()
    #: exposure: the source applies only to products taken at no more than this many
    #: grams a day (AHPA's 5 g/day); a larger known intake makes the rule not applicable.
    max_daily_g: float | None = None
    #: The limit is for one species (``inorganic`` arsenic): a total above it is no breach
    #: until speciation shows one.
    species: str | None = None
    #: absent: the mass (g) in which the source requires absence.
    sample_g: float | None = None
    #: absent: the source lets a negative retest clear an earlier positive.
    retest_clears: bool = False
    #: The standard method's LOQ (in the analyte's canonical unit) per the profile: an ND
    #: printed without an LOQ is taken as below it. None: such an ND proves nothing.
    method_loq: float | None = None


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
    #: The date the profile's reading of its sources was last checked.
    as_of: date | None = None
    #: Judge ``value - U`` where the COA prints an expanded uncertainty (EU official control).
    minus_uncertainty: bool = False

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; ``KeyError`` when there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


class LabResult(NamedTuple):
    """One result as a verdict needs it: the parse contract's fields, plus which
    certificate it came from and when that was tested (to pick the latest).

    A named tuple rather than a frozen dataclass: re-judging every stored batch builds
    ten of these per batch, and a tuple is built several times faster."""

    analyte: str
    category: str | None = None
    value: float | None = None
    unit: str | None = None
    qualifier: str = "="
    loq: float | None = None
    certificate_id: int | None = None
    tested: date | None = None
    uncertainty: float | None = None  # expanded uncertainty U, in the value's unit
    sample_g: float | None = None  # the mass a presence test was run on, when printed

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
            uncertainty=d.get("uncertainty"),
            sample_g=d.get("sample_g"),
        )


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """What the COA or the uploader says about the product, when known. ``form`` is
    matched against ``Rule.applies_to`` (``leaf_powder``, ``extract``, ...; None or
    ``unknown`` when not known). The intake is never taken from the profile's defaults:
    those only illustrate what an assumed intake would give."""

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
    intake: dict[str, Any] = field(default_factory=dict)  # serving basis, see IntakeBasis
    #: What the verdict could not take as printed, in plain words (an intake, a form, a
    #: total, an LOQ, ...): each made a rule inconclusive rather than failing.
    assumptions: tuple[str, ...] = ()
    #: Positives a retest cleared where the profile's source lets it (kept in view).
    cleared: tuple[dict[str, Any], ...] = ()
    #: Why the status is what it is when no entry says so (``NOTHING_JUDGED``).
    reason: str | None = None

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
            "assumptions": list(self.assumptions),
            "cleared": [dict(c) for c in self.cleared],
            "reason": self.reason,
        }
