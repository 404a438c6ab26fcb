"""Profiles from YAML files or JSON-like dicts, validated by marshmallow schemas.

Shipped profiles live in ``profiles/<code>.yaml``; an admin API sends custom profiles
as JSON through :func:`profile_from_dict`, the same validation. Every problem is
reported at once in :class:`ProfileError` (``errors`` is marshmallow's nested dict,
``str()`` a flat ``rules.3.analyte: ...`` list) so the API can answer 422.

What is checked beyond types: the rule kind is known; analyte codes are in the
contract vocabulary; each kind has the fields it needs and none it would ignore;
limits are given in the analyte's canonical unit (``mg/kg`` is accepted and stored as
``ug/g``, ``ppb`` for a metal is refused rather than converted); exposure and
per-serving limits are masses per day or per serving of a mass-fraction analyte;
rule ids are unique; a shipped file is named after its code.

:func:`profile_digest` is a SHA-256 over the canonical JSON of
:func:`profile_to_dict`: formatting and comments in the YAML do not change it, any
figure, source, note or version does. The registry stores a new profile version when
the digest of a shipped profile differs from the stored one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml
from marshmallow import fields, validate

from registry.thresholds.analytes import (
    ANALYTES,
    mass_per_gram,
    normalize_unit,
    same_unit,
)
from registry.thresholds.model import (
    RULE_KINDS,
    SEVERITIES,
    VERIFICATIONS,
    Defaults,
    Profile,
    Rule,
    Source,
)
from registry.thresholds.rules import OPERATORS

PROFILES_PACKAGE = "registry.thresholds"
PROFILES_DIR = "profiles"


class ProfileError(ValueError):
    """A profile that does not validate. ``errors`` holds the problems per field."""

    def __init__(self, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.errors: Mapping[str, Any] = errors or {}


# Which fields each kind needs, and which it may also have (besides the common ones).
_KIND_FIELDS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "max": (frozenset({"analyte", "limit", "unit"}), frozenset({"op"})),
    "absent": (frozenset({"analyte"}), frozenset()),
    "ratio": (frozenset({"analyte", "denominator", "limit", "unit"}), frozenset({"op"})),
    "exposure": (frozenset({"analyte", "limit", "unit"}), frozenset({"op"})),
    "per_serving": (frozenset({"analyte", "limit", "unit"}), frozenset({"op"})),
    "required": (frozenset({"analytes"}), frozenset()),
}
#: Fields added for fair verdicts (see ``model.Rule``), by the kinds that use them. They
#: are written out only when set, so profiles without them keep their digests.
_FAIRNESS_FIELDS: Mapping[str, frozenset[str]] = {
    "max": frozenset({"op_wording", "method_loq", "species"}),
    "absent": frozenset({"sample_g", "retest_clears"}),
    "ratio": frozenset({"op_wording", "method_loq", "denominator_set"}),
    "exposure": frozenset({"op_wording", "method_loq", "species", "max_daily_g"}),
    "per_serving": frozenset({"op_wording", "method_loq"}),
    "required": frozenset(),
}
_OPTIONAL = frozenset(
    {
        "analyte",
        "analytes",
        "denominator",
        "limit",
        "unit",
        "op",
        *set().union(*_FAIRNESS_FIELDS.values()),
    }
)
_RATE_UNITS: Mapping[str, tuple[str, ...]] = {
    "exposure": ("ug/day", "mg/day"),
    "per_serving": ("mg/serving", "ug/serving"),
}


def _known_analyte(code: str) -> None:
    if code not in ANALYTES:
        raise ma.ValidationError(f"unknown analyte code {code!r}")


class _Unit(fields.String):
    """A unit, stored in its canonical spelling."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize_unit(super()._deserialize(value, attr, data, **kwargs)) or ""


class SourceSchema(ma.Schema):
    citation = fields.String(required=True, validate=validate.Length(min=1))
    url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"})

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Source:
        return Source(**data)


class DefaultsSchema(ma.Schema):
    serving_g = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, min_inclusive=False)
    )
    servings_per_day = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, min_inclusive=False)
    )

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Defaults:
        return Defaults(**data)


class RuleSchema(ma.Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9_-]*$"))
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            RULE_KINDS, error="unknown rule kind {input!r}; known kinds: {choices}"
        ),
    )
    analyte = fields.String(validate=_known_analyte)
    analytes = fields.List(fields.String(validate=_known_analyte), validate=validate.Length(min=1))
    denominator = fields.String(validate=_known_analyte)
    limit = fields.Float(validate=validate.Range(min=0))
    unit = _Unit()
    op = fields.String(validate=validate.OneOf(tuple(OPERATORS)))
    severity = fields.String(load_default="fail", validate=validate.OneOf(SEVERITIES))
    source = fields.Nested(SourceSchema, required=True)
    verified = fields.String(required=True, validate=validate.OneOf(VERIFICATIONS))
    applies_to = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    note = fields.String(load_default=None, allow_none=True)
    op_wording = fields.String(validate=validate.Length(min=1))
    method_loq = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    species = fields.String(validate=validate.OneOf(("inorganic",)))
    max_daily_g = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    denominator_set = fields.List(
        fields.String(validate=_known_analyte), validate=validate.Length(min=1)
    )
    sample_g = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    retest_clears = fields.Boolean()

    @ma.validates_schema
    def _kind_fields(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") not in _KIND_FIELDS:
            return
        needed, allowed = _KIND_FIELDS[data["kind"]]
        allowed = allowed | _FAIRNESS_FIELDS[data["kind"]]
        errors = {f: ["required by kind " + repr(data["kind"])] for f in needed if f not in data}
        errors |= {
            f: [f"not used by kind {data['kind']!r}"]
            for f in _OPTIONAL - needed - allowed
            if f in data
        }
        if errors:
            raise ma.ValidationError(errors)
        _check_units(data)

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Rule:
        if data["kind"] == "max":  # mg/kg and ppm are stored as ug/g
            data["unit"] = ANALYTES[data["analyte"]].unit
        data["analytes"] = tuple(data.get("analytes", ()))
        data["applies_to"] = tuple(data["applies_to"])
        data["denominator_set"] = tuple(data.get("denominator_set", ()))
        return Rule(**data)


def _check_units(rule: dict[str, Any]) -> None:
    """Limits in canonical units (max, ratio) or masses per day/serving (exposure, per_serving)."""
    kind, unit = rule["kind"], rule.get("unit")
    canonical = ANALYTES[rule["analyte"]].unit if "analyte" in rule else None
    if kind == "max":
        if canonical is None or not same_unit(unit, canonical):
            raise ma.ValidationError({"unit": [_canonical_hint(rule["analyte"], unit)]})
    elif kind == "ratio":
        _check_ratio(rule, canonical)
    elif kind in _RATE_UNITS:
        _check_rate(rule, canonical)


def _canonical_hint(code: str, unit: str | None) -> str:
    canonical = ANALYTES[code].unit
    if canonical is None:
        return f"{code} is a presence test: use kind 'absent'"
    return f"unit {unit!r} for {code}: give the limit in its canonical unit {canonical!r}"


def _check_ratio(rule: dict[str, Any], canonical: str | None) -> None:
    if rule["unit"] != "%":
        raise ma.ValidationError({"unit": ["a ratio limit is a percentage: unit '%'"]})
    if canonical is None or ANALYTES[rule["denominator"]].unit != canonical:
        raise ma.ValidationError({"denominator": ["numerator and denominator need the same unit"]})


def _check_rate(rule: dict[str, Any], canonical: str | None) -> None:
    allowed = _RATE_UNITS[rule["kind"]]
    if rule["unit"] not in allowed:
        raise ma.ValidationError({"unit": [f"kind {rule['kind']!r} takes {' or '.join(allowed)}"]})
    if canonical is None or mass_per_gram(canonical, rule["unit"].partition("/")[0]) is None:
        raise ma.ValidationError({"analyte": [f"{rule['analyte']} is not a mass fraction"]})


class ProfileSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]*$"))
    name = fields.String(required=True, validate=validate.Length(min=1))
    jurisdiction = fields.String(required=True, validate=validate.Length(min=1))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    effective = fields.Date(required=True, allow_none=True)
    note = fields.String(required=True)
    defaults = fields.Nested(DefaultsSchema, load_default=lambda: Defaults())
    as_of = fields.Date(load_default=None, allow_none=True)
    minus_uncertainty = fields.Boolean(load_default=False)
    rules = fields.List(fields.Nested(RuleSchema), required=True, validate=validate.Length(min=1))

    @ma.validates_schema
    def _unique_ids(self, data: dict[str, Any], **_: Any) -> None:
        ids = [rule.id for rule in data.get("rules", [])]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ma.ValidationError({"rules": [f"duplicate rule ids: {', '.join(dupes)}"]})

    @ma.post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Profile:
        data["rules"] = tuple(data["rules"])
        return Profile(**data)


def profile_from_dict(data: Mapping[str, Any], *, origin: str = "profile") -> Profile:
    """A validated :class:`Profile` from JSON-like data; :class:`ProfileError` otherwise."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"{origin}: expected a mapping, got {type(data).__name__}")
    try:
        profile: Profile = ProfileSchema().load(dict(data))
    except ma.ValidationError as exc:
        errors: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
        lines = "; ".join(_flatten(errors))
        raise ProfileError(
            f"{origin} {data.get('code', '?')!r} is invalid: {lines}", errors
        ) from None
    return profile


def _flatten(errors: Any, prefix: str = "") -> Iterable[str]:
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            yield from _flatten(value, f"{prefix}{key}." if key != "_schema" else prefix)
    elif isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        yield f"{prefix.rstrip('.') or 'profile'}: {', '.join(errors)}"
    else:
        for item in errors:
            yield from _flatten(item, prefix)


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """JSON-ready data that :func:`profile_from_dict` reads back into an equal profile.
    Empty optional fields are left out."""
    return {
        "code": profile.code,
        "name": profile.name,
        "jurisdiction": profile.jurisdiction,
        "version": profile.version,
        "effective": profile.effective.isoformat() if profile.effective else None,
        "note": profile.note,
        "defaults": {
            "serving_g": profile.defaults.serving_g,
            "servings_per_day": profile.defaults.servings_per_day,
        },
        "rules": [_rule_to_dict(rule) for rule in profile.rules],
        **({"as_of": profile.as_of.isoformat()} if profile.as_of else {}),
        **({"minus_uncertainty": True} if profile.minus_uncertainty else {}),
    }


def _rule_to_dict(rule: Rule) -> dict[str, Any]:
    needed, allowed = _KIND_FIELDS[rule.kind]
    d: dict[str, Any] = {"id": rule.id, "kind": rule.kind}
    for name in sorted(needed | allowed):
        value = getattr(rule, name)
        d[name] = list(value) if isinstance(value, tuple) else value
    d |= {
        "severity": rule.severity,
        "verified": rule.verified,
        "source": {"citation": rule.source.citation, "url": rule.source.url},
    }
    if rule.applies_to:
        d["applies_to"] = list(rule.applies_to)
    if rule.note is not None:
        d["note"] = rule.note
    for name in sorted(_FAIRNESS_FIELDS[rule.kind]):
        value = getattr(rule, name)
        if value not in (None, False, ()):
            d[name] = list(value) if isinstance(value, tuple) else value
    return d


def profile_digest(profile: Profile) -> str:
    """SHA-256 (hex) of the profile's canonical JSON: changes with any figure or text."""
    text = json.dumps(
        profile_to_dict(profile),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_profile_file(path: Path) -> Profile:
    """One profile from a YAML file named ``<code>.yaml``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path.name}: not valid YAML: {exc}") from None
    profile = profile_from_dict(data, origin=path.name)
    if profile.code != path.stem:
        raise ProfileError(f"{path.name}: code {profile.code!r} does not match the file name")
    return profile


def shipped_profile_paths() -> list[Path]:
    """The YAML files of the shipped profiles, by name."""
    folder = resources.files(PROFILES_PACKAGE).joinpath(PROFILES_DIR)
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_shipped_profiles() -> list[Profile]:
    """Every shipped profile, validated, ordered by code."""
    return sorted((load_profile_file(p) for p in shipped_profile_paths()), key=lambda p: p.code)
