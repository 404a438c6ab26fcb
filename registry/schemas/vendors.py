"""Vendors with their batch and failure counts."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from registry.schemas.common import PageArgs, PageSchema


class VendorArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "a vendor by any of its spellings, or part of its name",
            "example": "acme",
        },
    )
    profile = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={
            "description": "the profile whose failures `failing` counts (default: the registry's default)",
            "example": "utah-r70-580",
        },
    )


class VendorSchema(ma.Schema):
    slug = fields.String()
    name = fields.String()
    aliases = fields.List(fields.String())
    batches = fields.Integer()
    failing = fields.Integer()
    profile = fields.String()
    url = fields.String()


class VendorPageSchema(PageSchema):
    items = fields.List(fields.Nested(VendorSchema))
