"""``/api/v1/subscriptions``: failure alerts by webhook or email, their delivery log."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from registry import unit_of_work
from registry.api.auth import bearer, require
from registry.api.smorest import Blueprint
from registry.extensions import db
from registry.models import Channel, Delivery, Subscription
from registry.schemas.subscriptions import (
    DeliverySchema,
    SecretSchema,
    SubscriptionCreateSchema,
    SubscriptionSchema,
    WebhookPayloadSchema,
)
from registry.services import subscriptions, tokens
from registry.tasks import alerts

blp = Blueprint("subscriptions", __name__, description="Failure alerts")

__all__ = ["WebhookPayloadSchema", "blp"]


def render(sub: Subscription, secret: str | None = None) -> dict[str, Any]:
    body = {c: getattr(sub, c) for c in SubscriptionSchema().fields if hasattr(sub, c)}
    body["deliveries_url"] = url_for("subscriptions.SubscriptionDeliveries", sub_id=sub.id)
    if secret is not None:
        body["secret"] = secret
    return body


def render_delivery(d: Delivery) -> dict[str, Any]:
    return {
        **{
            c: getattr(d, c)
            for c in (
                "id",
                "event_id",
                "webhook_id",
                "status",
                "attempts",
                "last_status_code",
                "last_error",
                "next_try_at",
                "delivered_at",
                "created_at",
                "log",
            )
        },
        "event": d.event.type if d.event else "subscription.confirmation",
        "batch_id": d.event.batch_id if d.event else None,
    }


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.doc(security=[{"bearer": []}, {}])
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Subscribe to failure alerts. A webhook needs a token and answers its signing
        ``secret`` once; an email without a token waits for its confirmation link."""
        token = tokens.authenticate(db.session, bearer()) if bearer() else None
        cfg = current_app.config

        def work() -> subscriptions.Created:
            return subscriptions.create(
                db.session,
                channel=Channel(data["channel"]),
                token=token,
                url=data.get("url"),
                email=data.get("email"),
                filters=data["filters"],
                events=data["events"],
                default_profile=cfg["DEFAULT_PROFILE"],
                allowed_hosts=alerts.allowed_hosts(current_app),
            )

        created = unit_of_work.commit(db.session, work)
        if created.needs_confirmation:
            alerts.kick(current_app, deliveries=1)  # the confirmation mail, stored
        return render(created.subscription, created.secret)

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self) -> Any:
        """The subscriptions this token made."""
        return [render(s) for s in subscriptions.owned(db.session, require())]


@blp.route("/subscriptions/<int:sub_id>")
class SubscriptionById(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SubscriptionSchema)
    def get(self, sub_id: int) -> Any:
        """One of this token's subscriptions."""
        return render(subscriptions.get_owned(db.session, require(), sub_id))

    @blp.doc(security=[{"bearer": []}])
    @blp.response(204)
    def delete(self, sub_id: int) -> None:
        """Unsubscribe (its delivery log goes with it)."""
        token = require()
        unit_of_work.commit(
            db.session,
            lambda: subscriptions.delete(
                db.session, subscriptions.get_owned(db.session, token, sub_id)
            ),
        )


@blp.route("/subscriptions/<int:sub_id>/deliveries")
class SubscriptionDeliveries(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, DeliverySchema(many=True))
    def get(self, sub_id: int) -> Any:
        """The newest 100 deliveries: event, attempts, last status, next try, log."""
        sub = subscriptions.get_owned(db.session, require(), sub_id)
        return [render_delivery(d) for d in subscriptions.deliveries(db.session, sub)]


@blp.route("/subscriptions/<int:sub_id>/deliveries/<int:delivery_id>/redeliver")
class Redeliver(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(202, DeliverySchema)
    def post(self, sub_id: int, delivery_id: int) -> Any:
        """Send a delivery again now, with the same ``webhook-id``."""
        token = require()
        delivery = unit_of_work.commit(
            db.session,
            lambda: subscriptions.redeliver(
                db.session, subscriptions.get_owned(db.session, token, sub_id), delivery_id
            ),
        )
        alerts.kick(current_app, deliveries=1)
        return render_delivery(delivery)


@blp.route("/subscriptions/<int:sub_id>/enable")
class Enable(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SubscriptionSchema)
    def post(self, sub_id: int) -> Any:
        """Enable a disabled subscription again (after fixing the endpoint)."""
        token = require()

        def work() -> Subscription:
            sub = subscriptions.get_owned(db.session, token, sub_id)
            subscriptions.enable(sub)
            return sub

        return render(unit_of_work.commit(db.session, work))


@blp.route("/subscriptions/<int:sub_id>/secret")
class RotateSecret(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SecretSchema)
    def post(self, sub_id: int) -> Any:
        """A new signing secret (shown once); the old one also signs for 24 hours."""
        token = require()

        def work() -> dict[str, Any]:
            sub = subscriptions.get_owned(db.session, token, sub_id)
            secret = subscriptions.rotate_secret(sub)
            return {"secret": secret, "previous_secret_expires_at": sub.previous_secret_expires_at}

        return unit_of_work.commit(db.session, work)
