"""Certificates and their uploads."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from registry.models import CertificateStatus
from registry.schemas.common import PageArgs, RequestArgs
from registry.schemas.verdicts import VerdictSchema
from registry.thresholds.model import FORMS


class UploadSchema(RequestArgs):
    """``POST /api/v1/certificates``: one ``multipart/form-data`` body, the PDF and what the
    uploader knows that the COA may not say."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "the COA, a PDF"},
    )
    vendor = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "who sells the product, when the COA does not name the client",
            "example": "Acme Botanicals",
        },
    )
    product = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "the product's name, when the COA does not say",
            "example": "Red Bali powder",
        },
    )
    batch = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "the lot or batch number, when the COA does not print it",
            "example": "RB-2024-0117",
        },
    )
    form = fields.String(
        validate=validate.OneOf(FORMS),
        metadata={
            "description": "the product's form, when the COA does not say (rules for leaf judge only leaf)",
            "example": FORMS[0],
        },
    )
    serving_g = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, max=1000),
        metadata={
            "description": "grams per serving, from the label",
            "example": 5,
            "exclusiveMinimum": True,
        },
    )
    servings_per_day = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, max=100),
        metadata={
            "description": "the label's highest servings a day",
            "example": 3,
            "exclusiveMinimum": True,
        },
    )


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
    certificate_id = fields.Integer(
        metadata={"description": "the certificate the result was read from"}
    )
    analyte = fields.String()
    category = fields.String()
    value = fields.Float(allow_none=True, metadata={"description": "in the canonical unit `unit`"})
    unit = fields.String(allow_none=True, metadata={"description": "the analyte's canonical unit"})
    printed_value = fields.Float(
        allow_none=True,
        metadata={
            "description": "`value` in the unit the COA printed; null when none was printed or it does "
            "not convert linearly"
        },
    )
    printed_unit = fields.String(
        allow_none=True, metadata={"description": "the unit the COA printed (`ppb`)"}
    )
    qualifier = fields.String()
    loq = fields.Float(
        allow_none=True,
        metadata={
            "description": "the limit printed for the row, in `unit` (a `<` result's bound when it prints none)"
        },
    )
    uncertainty = fields.Float(allow_none=True)
    lab_status = fields.String(allow_none=True)
    page = fields.Integer(
        allow_none=True, metadata={"description": "the page of `certificate_id`, from 1"}
    )
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


class CertificateListArgs(PageArgs):
    """``GET /api/v1/certificates``: filters and page."""

    status = fields.List(
        fields.Enum(CertificateStatus, by_value=True),
        metadata={
            "description": "one or more of parsed, needs_review, unreadable (repeat the parameter)",
            "example": ["needs_review"],
        },
    )
    vendor = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "a vendor by any spelling or slug, or part of its name",
            "example": "acme",
        },
    )
    lab = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "part of the lab's name", "example": "analytical"},
    )
    uploaded_after = fields.Date(
        metadata={"description": "uploaded on or after this day (UTC)", "example": "2024-01-01"}
    )
    uploaded_before = fields.Date(
        metadata={"description": "uploaded on or before this day (UTC)", "example": "2024-12-31"}
    )
    order = fields.String(
        load_default="newest",
        validate=validate.OneOf(("newest", "oldest")),
        metadata={
            "description": "by upload time: newest first, or oldest first (the review queue's order)",
            "example": "oldest",
        },
    )


class CertificateItemSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    uploaded_at = fields.DateTime()
    tested = fields.Date(allow_none=True)
    report_number = fields.String(allow_none=True)
    pages = fields.Integer(allow_none=True)
    layout = fields.String(allow_none=True)
    warnings = fields.List(fields.String())
    lab = fields.String(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    lot = fields.String(allow_none=True)
    vendor = fields.String(allow_none=True)
    vendor_slug = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    url = fields.String()
    pdf_url = fields.String()


class CertificatePageSchema(ma.Schema):
    items = fields.List(fields.Nested(CertificateItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
