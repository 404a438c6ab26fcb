"""Threshold profiles and background jobs as the API shows them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from registry.models import JobStatus
from registry.thresholds import loader


class ProfileSchema(ma.Schema):
    code = fields.String()
    version = fields.Integer()
    name = fields.String()
    jurisdiction = fields.String(allow_none=True)
    effective = fields.Date(allow_none=True)
    digest = fields.String(metadata={"description": "SHA-256 of the rules and texts, version aside"})
    shipped = fields.Boolean(metadata={"description": "loaded from the registry's own files"})
    current = fields.Boolean()
    created_at = fields.DateTime()
    definition = fields.Dict(metadata={
        "description": "the profile: note, defaults, rules, each with its source and how sure it is"})


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


class ProfileSavedSchema(ProfileSchema):
    changed = fields.Boolean(metadata={"description": "false when the same rules were already current"})
    previous_version = fields.Integer(allow_none=True)
    job = fields.Nested(JobSchema, allow_none=True, metadata={
        "description": "the re-judgement of every batch under the new version"})


class ProfileDefinitionSchema(loader.ProfileSchema):
    """A profile as an admin submits it (the shipped YAML files' fields); loads into the
    engine's ``thresholds.Profile``."""
