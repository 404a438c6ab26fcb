"""Failure alerts: who subscribed to what, and every delivery of every event to them.

A subscription belongs to the API token that made it (or, for an email sign-up without
a token, to the address that confirmed it). A delivery is one outbox event for one
subscription: it is written by the fan-out before anything is sent, so a crash between
writing and sending loses nothing, and its ``webhook_id`` stays the same across retries
so that receivers can drop duplicates. A sign-up's confirmation mail is a delivery too
(``kind`` ``confirmation``, no event), written with the subscription and sent by the
same workers with the same retries.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, utcnow
from registry.models.verdicts import OutboxEvent


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(
        cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e]
    )


class Channel(enum.StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    PENDING_CONFIRMATION = "pending_confirmation"
    DISABLED = "disabled"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next try (``next_try_at``)
    SENDING = "sending"  # claimed by a worker until ``lease_until``
    DELIVERED = "delivered"
    FAILED = "failed"  # given up: retries exhausted, 410 Gone, or subscription disabled


class DeliveryKind(enum.StrEnum):
    EVENT = "event"  # an outbox event for a subscription (webhook POST or mail digest)
    CONFIRMATION = "confirmation"  # the double opt-in mail of a tokenless email sign-up


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (sa.Index("ix_subscriptions_status_channel", "status", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)
    # vendor (slug), product, lot, category, analyte, profile; absent keys match all.
    filters: Mapped[dict[str, Any]]
    events: Mapped[list[Any]]
    # Signing secrets, newest first: after a rotation the old one signs too until
    # ``previous_secret_expires_at`` so receivers can switch without losing a message.
    secrets: Mapped[list[Any]] = mapped_column(default=list)
    previous_secret_expires_at: Mapped[datetime | None]
    status: Mapped[SubscriptionStatus] = mapped_column(_enum(SubscriptionStatus))
    status_reason: Mapped[str | None] = mapped_column(sa.String(500))
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_id"),
        sa.Index("ix_deliveries_status_next_try_at", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    kind: Mapped[DeliveryKind] = mapped_column(
        _enum(DeliveryKind), default=DeliveryKind.EVENT, server_default=DeliveryKind.EVENT.value
    )
    # NULL for a confirmation mail, which is no event (NULLs never collide in the unique pair).
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    next_try_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    log: Mapped[list[Any]] = mapped_column(default=list)  # one entry per attempt or change

    subscription: Mapped[Subscription] = relationship()
    event: Mapped[OutboxEvent | None] = relationship()


class Signup(Base):
    """One tokenless email sign-up, kept to rate-limit sign-ups per address."""

    __tablename__ = "signups"
    __table_args__ = (sa.Index("ix_signups_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    at: Mapped[datetime] = mapped_column(default=utcnow)
