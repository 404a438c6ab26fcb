"""Threshold profiles and background jobs as the API shows them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from registry.models import JobStatus
from registry.thresholds import loader
from registry.thresholds.model import VERIFICATIONS


class StoredProfileSchema(ma.Schema):
    code = fields.String()
    version = fields.Integer()
    name = fields.String()
    jurisdiction = fields.String(allow_none=True)
    effective = fields.Date(allow_none=True)
    digest = fields.String(
        metadata={"description": "SHA-256 of the rules and texts, version aside"}
    )
    shipped = fields.Boolean(metadata={"description": "loaded from the registry's own files"})
    current = fields.Boolean()
    created_at = fields.DateTime()
    definition = fields.Dict(
        metadata={
            "description": "the profile: note, defaults, rules, each with its source and how sure it is"
        }
    )
    as_of = fields.Method(
        "_as_of",
        metadata={
            "type": "string",
            "format": "date",
            "nullable": True,
            "description": "the date this reading of the sources was last checked",
        },
    )
    rules_by_certainty = fields.Method(
        "_by_certainty",
        metadata={
            "type": "object",
            "description": "rule counts by verification: primary, secondary, "
            "unverified (unverified rules give no public fails)",
        },
    )

    def _as_of(self, obj: Any) -> str | None:
        return _definition(obj).get("as_of")

    def _by_certainty(self, obj: Any) -> dict[str, int]:
        counts = dict.fromkeys(VERIFICATIONS, 0)
        for rule in _definition(obj).get("rules", ()):
            counts[rule.get("verified", "unverified")] = counts.get(rule.get("verified"), 0) + 1
        return counts


def _definition(obj: Any) -> dict[str, Any]:
    """A profile row's (or rendered dict's) definition."""
    found = obj.get("definition") if isinstance(obj, dict) else getattr(obj, "definition", None)
    return found or {}


class ProfileVersionSchema(ma.Schema):
    code = fields.String()
    version = fields.Integer()
    digest = fields.String()
    shipped = fields.Boolean()
    current = fields.Boolean()
    created_at = fields.DateTime()
    url = fields.String()


class JobSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.Enum(JobStatus, by_value=True)
    done = fields.Integer()
    total = fields.Integer(allow_none=True)
    progress = fields.Float(allow_none=True, metadata={"description": "done / total, 0 to 1"})
    params = fields.Dict()
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    url = fields.String()


class ProfileSavedSchema(StoredProfileSchema):
    changed = fields.Boolean(
        metadata={"description": "false when the same rules were already current"}
    )
    previous_version = fields.Integer(allow_none=True)
    job = fields.Nested(
        JobSchema,
        allow_none=True,
        metadata={"description": "the re-judgement of every batch under the new version"},
    )


class ProfileDefinitionSchema(loader.ProfileSchema):
    """A profile as an admin submits it (the shipped YAML files' fields); loads into the
    engine's ``thresholds.Profile``."""
