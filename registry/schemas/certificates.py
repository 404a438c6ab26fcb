"""Certificates and their uploads."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from registry.models import CertificateStatus
from registry.schemas.verdicts import VerdictSchema
from registry.thresholds.model import FORMS


class UploadFormSchema(ma.Schema):
    vendor = fields.String(validate=validate.Length(min=1, max=300))
    product = fields.String(validate=validate.Length(min=1, max=500))
    batch = fields.String(validate=validate.Length(min=1, max=200))
    form = fields.String(validate=validate.OneOf(FORMS), metadata={
        "description": "the product's form, when the COA does not say (rules for leaf judge only leaf)"})
    serving_g = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=1000),
                             metadata={"description": "grams per serving, from the label"})
    servings_per_day = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=100),
                                    metadata={"description": "the label's highest servings a day"})


class UploadFileSchema(ma.Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class BatchRefSchema(ma.Schema):
    id = fields.Integer()
    form = fields.String(attribute="product.form", allow_none=True)
    vendor = fields.String(attribute="vendor.name")
    vendor_slug = fields.String(attribute="vendor.slug")
    product = fields.String(attribute="product.name", allow_none=True)
    lot = fields.String()


class LabSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    accreditation = fields.String(allow_none=True)


class ResultSchema(ma.Schema):
    analyte = fields.String()
    category = fields.String()
    value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    qualifier = fields.String()
    loq = fields.Float(allow_none=True)
    uncertainty = fields.Float(allow_none=True)
    lab_status = fields.String(allow_none=True)
    page = fields.Integer(allow_none=True)
    raw = fields.String()


class CertificateSchema(ma.Schema):
    id = fields.Integer()
    sha256 = fields.String()
    status = fields.Enum(CertificateStatus, by_value=True)
    status_reason = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    size_bytes = fields.Integer()
    layout = fields.String(allow_none=True)
    parser_version = fields.String(allow_none=True)
    pages = fields.Integer(allow_none=True)
    report_number = fields.String(allow_none=True)
    sample_id = fields.String(allow_none=True)
    received = fields.Date(allow_none=True)
    tested = fields.Date(allow_none=True)
    reported = fields.Date(allow_none=True)
    uploaded_at = fields.DateTime()
    warnings = fields.List(fields.String())
    lab = fields.Nested(LabSchema, allow_none=True)
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    document = fields.Dict(allow_none=True, metadata={"description": "the parse contract document"})
    results = fields.List(fields.Nested(ResultSchema))
    verdicts = fields.List(fields.Nested(VerdictSchema))
    pdf_url = fields.String()
