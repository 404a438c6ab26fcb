"""Analytes: the codes search and profiles use, with the names people type."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class AnalyteSchema(ma.Schema):
    code = fields.String(
        metadata={"description": "the contract's code (`lead`, `7_hydroxymitragynine`)"}
    )
    name = fields.String(metadata={"description": "the name for people (`Lead`)"})
    symbols = fields.List(
        fields.String(), metadata={"description": "symbols and abbreviations (`Pb`, `7-OH`)"}
    )
    category = fields.String(
        metadata={"description": "alkaloid, heavy_metal, microbial, mycotoxin or physical"}
    )
    unit = fields.String(
        allow_none=True, metadata={"description": "canonical unit; null for presence tests"}
    )
    presence_test = fields.Boolean()


class AnalyteListSchema(ma.Schema):
    items = fields.List(fields.Nested(AnalyteSchema))
