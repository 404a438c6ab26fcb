"""Threshold profiles as the API shows them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class ProfileSchema(ma.Schema):
    code = fields.String()
    version = fields.Integer()
    name = fields.String()
    jurisdiction = fields.String(allow_none=True)
    effective = fields.Date(allow_none=True)
    digest = fields.String()
    shipped = fields.Boolean()
    created_at = fields.DateTime()
    definition = fields.Dict(metadata={"description": "the profile: note, defaults, rules with sources"})
