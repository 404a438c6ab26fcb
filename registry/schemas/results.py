"""Result rows (``GET /api/v1/results``): the batch search's filters, one row per result."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from registry.schemas.batches import BatchSearchArgs
from registry.schemas.common import PageSchema


class ResultSearchArgs(BatchSearchArgs):
    """The batch search's filters; ``page`` and ``per_page`` count batches."""


class ResultRowSchema(ma.Schema):
    batch_id = fields.Integer()
    vendor = fields.String()
    vendor_slug = fields.String()
    product = fields.String(allow_none=True)
    lot = fields.String()
    lab = fields.String(allow_none=True)
    tested = fields.Date(allow_none=True)
    certificate_id = fields.Integer(
        metadata={"description": "the certificate the result was read from"}
    )
    analyte = fields.String()
    category = fields.String()
    value = fields.Float(allow_none=True, metadata={"description": "in the canonical `unit`"})
    unit = fields.String(allow_none=True)
    qualifier = fields.String()
    loq = fields.Float(allow_none=True)
    printed_value = fields.Float(
        allow_none=True, metadata={"description": "`value` in the unit the COA printed"}
    )
    printed_unit = fields.String(allow_none=True)
    limit = fields.Float(
        allow_none=True,
        metadata={
            "description": "the profile's limit for the analyte (of the rule that judged it), in `limit_unit`"
        },
    )
    limit_unit = fields.String(allow_none=True)
    verdict = fields.String(
        allow_none=True,
        metadata={
            "description": "fail, warning, inconclusive, pass or not_applicable under `profile`; "
            "null when the profile does not judge the analyte"
        },
    )
    rule_id = fields.String(allow_none=True)
    profile = fields.String()


class ResultRowPageSchema(PageSchema):
    items = fields.List(fields.Nested(ResultRowSchema))
