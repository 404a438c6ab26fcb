"""Pieces shared by every schema."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PageSchema(ma.Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Raw()
    request_id = fields.String()
