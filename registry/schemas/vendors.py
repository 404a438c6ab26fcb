"""Vendors with their batch and failure counts."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from registry.schemas.common import PageArgs, PageSchema


class VendorArgs(PageArgs):
    class Meta:
        unknown = ma.RAISE

    q = fields.String()
    profile = fields.String()


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
