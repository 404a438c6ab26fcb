"""Subscriptions, their deliveries and the webhook payload, as the API speaks them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

EVENTS = ("batch.failed", "batch.recovered")


class FiltersSchema(ma.Schema):
    """Which failing batches: every filter given must match; none means all."""

    vendor = fields.String(metadata={"description": "vendor name (any known spelling) or slug"})
    product = fields.String()
    lot = fields.String(metadata={"description": "matched with spaces, dashes and case folded"})
    category = fields.String(metadata={"description": "alkaloid, heavy_metal, microbial, ..."})
    analyte = fields.String(metadata={"description": "a canonical analyte code, e.g. lead"})
    profile = fields.String(metadata={"description": "default: REGISTRY_DEFAULT_PROFILE"})


class SubscriptionCreateSchema(ma.Schema):
    channel = fields.String(required=True, validate=validate.OneOf(("webhook", "email")))
    url = fields.String(validate=validate.Length(max=2000))
    email = fields.String(validate=validate.Length(max=320))
    filters = fields.Nested(FiltersSchema, load_default=dict)
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENTS)),
        load_default=list,
        metadata={"description": "batch.failed is always on"},
    )

    @validates_schema
    def _target(self, data: dict[str, Any], **_: Any) -> None:
        if data["channel"] == "webhook" and not data.get("url"):
            raise ValidationError("a webhook needs a url", "url")
        if data["channel"] == "email" and not data.get("email"):
            raise ValidationError("an email subscription needs an email address", "email")


class SubscriptionSchema(ma.Schema):
    id = fields.Integer()
    channel = fields.String()
    url = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    filters = fields.Dict()
    events = fields.List(fields.String())
    status = fields.String(metadata={"description": "active, pending_confirmation, disabled"})
    status_reason = fields.String(allow_none=True)
    failing_since = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    secret = fields.String(
        metadata={"description": "the signing secret: shown once, at creation and rotation"}
    )
    deliveries_url = fields.String()


class SecretSchema(ma.Schema):
    secret = fields.String()
    previous_secret_expires_at = fields.DateTime(allow_none=True)


class DeliverySchema(ma.Schema):
    id = fields.Integer()
    event = fields.String(
        metadata={
            "description": "batch.failed, batch.recovered, or "
            "subscription.confirmation (the sign-up's mail)"
        }
    )
    event_id = fields.Integer(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    webhook_id = fields.String(metadata={"description": "the same on every retry"})
    status = fields.String(metadata={"description": "pending, sending, delivered, failed"})
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True, attribute="last_status_code")
    last_error = fields.String(allow_none=True)
    next_try = fields.DateTime(allow_none=True, attribute="next_try_at")
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    log = fields.List(fields.Dict())


class WebhookBatchSchema(ma.Schema):
    id = fields.Integer()
    lot = fields.String()
    vendor = fields.String()
    product = fields.String(allow_none=True)


class WebhookDataSchema(ma.Schema):
    batch = fields.Nested(WebhookBatchSchema)
    certificate_id = fields.Integer(allow_none=True)
    profile = fields.String()
    profile_version = fields.Integer()
    failures = fields.List(fields.Dict(), metadata={"description": "each with its source"})
    missing = fields.List(fields.String())
    url = fields.String(metadata={"description": "the batch page (absolute)"})


class WebhookPayloadSchema(ma.Schema):
    """The body of every webhook POST (documented; built by ``services/deliveries``)."""

    type = fields.String()
    timestamp = fields.DateTime()
    data = fields.Nested(WebhookDataSchema)
