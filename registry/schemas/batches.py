"""Batches: search arguments and answers."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from registry.models import CertificateStatus
from registry.schemas.certificates import LabSchema, ResultSchema
from registry.schemas.common import PageArgs, PageSchema
from registry.schemas.verdicts import VerdictChangeSchema, VerdictSchema
from registry.services.search import PAGE_CAP, TOTAL_CAP
from registry.thresholds.model import VerdictStatus

STATUSES = tuple(s.value for s in VerdictStatus)


class BatchSearchArgs(PageArgs):
    vendor = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "a vendor by any of its spellings or its slug; when none is the whole name, "
            "every vendor whose name contains it (`viva`)",
            "example": "acme botanicals",
        },
    )
    lot = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "a lot or its beginning; spaces, dashes, dots and case are ignored",
            "example": "RB-2024-0117",
        },
    )
    product = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "part of the product's name, in any case", "example": "red bali"},
    )
    lab = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "part of the testing lab's name, in any case",
            "example": "analytical",
        },
    )
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "the verdict under `profile`: " + ", ".join(STATUSES),
            "example": "fail",
        },
    )
    analyte = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "an analyte's code, name or symbol in any case (`lead`, `Pb`, `7-OH`, "
            "`yeast and mold`); see GET /api/v1/analytes. Unknown: 422",
            "example": "Pb",
        },
    )
    profile = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={
            "description": "the profile whose verdict `status` filters and each item shows (default: "
            "the registry's default profile); `any`: a status under any profile. Unknown: 422",
            "example": "any",
        },
    )
    category = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "batches with a result in this category (`heavy_metal`, `microbial`, "
            "`alkaloid`, ...; see GET /api/v1/analytes). Unknown: 422",
            "example": "heavy_metal",
        },
    )
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "words anywhere in the vendor, product, lot, lab or report number",
            "example": "bali",
        },
    )
    tested_after = fields.Date(
        metadata={"description": "tested on or after this day", "example": "2024-01-01"}
    )
    tested_before = fields.Date(
        metadata={"description": "tested on or before this day", "example": "2024-12-31"}
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv", "jsonl")),
        metadata={
            "description": "json: a page; csv or jsonl: every match, one line per batch, in the JSON's order",
            "example": "csv",
        },
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "where a page starts: the `next_cursor` of the page before, as given "
            "(opaque). Reads every page however deep, stable while batches are "
            "added; `page` is then ignored. Without it `page` × `per_page` may be "
            f"at most {PAGE_CAP:,} (422 beyond, pointing here)",
            "example": "WzEsMCwiMjAyNC0wMS0xOSIsNDIsMF0",
        },
    )


class BatchItemSchema(ma.Schema):
    id = fields.Integer()
    vendor = fields.String()
    vendor_slug = fields.String()
    product = fields.String(allow_none=True)
    lot = fields.String()
    status = fields.String(
        allow_none=True,
        metadata={
            "description": "verdict under the asked (or default) profile; null when not yet judged"
        },
    )
    profile = fields.String()
    tested = fields.Date(allow_none=True)
    worst_status = fields.String(
        allow_none=True,
        metadata={
            "description": "the worst verdict under any profile (fail, then warning, then incomplete, then pass)"
        },
    )
    failing_profiles = fields.List(
        fields.String(), metadata={"description": "the profiles under which the batch fails"}
    )
    url = fields.String()


class BatchPageSchema(PageSchema):
    items = fields.List(fields.Nested(BatchItemSchema))
    total_exact = fields.Boolean(
        metadata={
            "description": f"whether `total` is exact: matches are counted up to {TOTAL_CAP:,}; "
            f"beyond, `total` is {TOTAL_CAP:,} (a lower bound) and this is false. Exports "
            "(`format=csv|jsonl`) stream every match"
        }
    )
    next_cursor = fields.String(
        allow_none=True,
        metadata={"description": "pass it as `cursor` for the next page; null on the last page"},
    )


class CertificateRefSchema(ma.Schema):
    id = fields.Integer()
    sha256 = fields.String()
    status = fields.Enum(CertificateStatus, by_value=True)
    tested = fields.Date(allow_none=True)
    reported = fields.Date(allow_none=True)
    report_number = fields.String(allow_none=True)
    lab = fields.Nested(LabSchema, allow_none=True)
    url = fields.String()
    pdf_url = fields.String()


class BatchSchema(ma.Schema):
    id = fields.Integer()
    vendor = fields.String(attribute="vendor.name")
    vendor_slug = fields.String(attribute="vendor.slug")
    product = fields.String(attribute="product.name", allow_none=True)
    lot = fields.String()
    tested = fields.Date(allow_none=True)
    status = fields.String(allow_none=True)
    profile = fields.String()
    certificates = fields.List(fields.Nested(CertificateRefSchema))
    results = fields.List(fields.Nested(ResultSchema))
    verdicts = fields.List(fields.Nested(VerdictSchema))
    history = fields.List(
        fields.Nested(VerdictChangeSchema),
        metadata={
            "description": "every change of the batch's status under each profile, newest first"
        },
    )
