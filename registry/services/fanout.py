"""Fan-out: each outbox event becomes one delivery row per matching subscription.

The verdict's transaction writes the outbox event (``services/verdicts.py``); a rolled
back judgement leaves no event, so nothing is ever sent for it. Fan-out reads events
not yet dispatched, writes their deliveries and marks the events dispatched, all in
one transaction of its own: a process that dies before the commit leaves the events
undispatched (the next fan-out takes them), one that dies after leaves the deliveries
(the next delivery round sends them). Concurrent fan-outs take disjoint events
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite runs one writer at a time), and the
unique ``(subscription_id, event_id)`` pair forbids a second row for one pair.

A subscription hears of events written after it was made (not of the backlog), and
an email subscription's events collect for the digest window: each new delivery is
due when the subscription's first waiting one is, so one mail carries them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import (
    Batch,
    Channel,
    Delivery,
    DeliveryStatus,
    OutboxEvent,
    Subscription,
    SubscriptionStatus,
    Vendor,
)
from registry.services import subscriptions

BATCH = 200  # events per fan-out transaction


@dataclass
class FanOutReport:
    events: int = 0
    deliveries: int = 0


def fan_out(
    session: Session,
    *,
    default_profile: str,
    digest_window: timedelta,
    limit: int = BATCH,
    now: datetime | None = None,
) -> FanOutReport:
    """Fan out up to ``limit`` undispatched events (flushed, not committed)."""
    now = now or utcnow()
    events = list(
        session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.dispatched_at.is_(None))
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not events:
        return FanOutReport()
    # Columns, not ORM objects: a fan-out reads every active subscription.
    subs = session.execute(
        sa.select(
            Subscription.id,
            Subscription.channel,
            Subscription.events,
            Subscription.created_at,
            Subscription.filters,
        ).where(Subscription.status == SubscriptionStatus.ACTIVE)
    ).all()
    rows = _rows(session, events, subs, default_profile, now, digest_window) if subs else []
    if rows:
        session.execute(sa.insert(Delivery), rows)
    session.execute(
        sa.update(OutboxEvent)
        .where(OutboxEvent.id.in_([e.id for e in events]))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )
    return FanOutReport(events=len(events), deliveries=len(rows))


def _rows(
    session: Session,
    events: list[OutboxEvent],
    subs: Sequence[Any],
    default_profile: str,
    now: datetime,
    window: timedelta,
) -> list[dict[str, Any]]:
    slugs = vendor_slugs(session, {e.batch_id for e in events if e.batch_id is not None})
    due_mail = _waiting_mail(session, [s.id for s in subs if s.channel is Channel.EMAIL])
    rows = []
    for event in events:
        facts = describe(event, slugs.get(event.batch_id or -1))
        for sub in subs:
            if (
                event.type not in sub.events
                or sub.created_at > event.created_at
                or not subscriptions.matches(sub.filters, facts, default_profile)
            ):
                continue
            due = now
            if sub.channel is Channel.EMAIL:
                due = due_mail.setdefault(sub.id, now + window)
            rows.append(
                {
                    "subscription_id": sub.id,
                    "event_id": event.id,
                    "webhook_id": subscriptions.new_message_id(),
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_try_at": due,
                    "created_at": now,
                    "log": [],
                }
            )
    return rows


def describe(event: OutboxEvent, vendor_slug: str | None) -> dict[str, Any]:
    """What subscription filters look at in an event."""
    batch = (event.payload or {}).get("batch") or {}
    return {
        "type": event.type,
        "profile": event.profile_code,
        "vendor_slug": vendor_slug,
        "product": batch.get("product"),
        "lot": batch.get("lot"),
        "failures": (event.payload or {}).get("failures") or [],
    }


def vendor_slugs(session: Session, batch_ids: set[int]) -> dict[int, str]:
    """The vendor slug of each batch (what a vendor filter compares)."""
    if not batch_ids:
        return {}
    return dict(
        session.execute(
            sa.select(Batch.id, Vendor.slug)
            .join(Vendor, Vendor.id == Batch.vendor_id)
            .where(Batch.id.in_(sorted(batch_ids)))
        ).all()
    )


def _waiting_mail(session: Session, sub_ids: list[int]) -> dict[int, datetime]:
    """When each email subscription's waiting digest is due (it joins that one)."""
    if not sub_ids:
        return {}
    rows = session.execute(
        sa.select(Delivery.subscription_id, sa.func.min(Delivery.next_try_at))
        .where(
            Delivery.subscription_id.in_(sub_ids),
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.attempts == 0,
        )
        .group_by(Delivery.subscription_id)
    ).all()
    return {sub_id: due for sub_id, due in rows if due is not None}
