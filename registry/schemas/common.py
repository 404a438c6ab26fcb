"""Pieces shared by every schema."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

#: What the request guard (``registry.api.guards``) takes in a query parameter, form field
#: or path segment: text without control characters (tab and line breaks aside).
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"


class RequestArgs(ma.Schema):
    """A query string's or form's fields: the OpenAPI document gives each text field the
    ``pattern`` the request guard enforces (no control characters)."""


class PageArgs(RequestArgs):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "which page of the answer, from 1", "example": 1},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "items on a page, 1 to 100", "example": 20},
    )


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
