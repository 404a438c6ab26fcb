"""Deliveries: claiming the due ones, saying what to send, recording what happened.

A delivery is claimed before it is sent: its status becomes ``sending`` with a lease
(``lease_until``) in the claiming transaction, so no other worker sends it meanwhile.
Claims read with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (two workers take
disjoint rows without waiting for each other); SQLite runs one writer at a time. A
worker that dies mid-send leaves a lease that runs out, and the delivery is claimable
again: at least once, with the same ``webhook-id`` for receivers to drop a repeat.

Outcomes (``record``): a 2xx delivers; a 410 Gone disables the subscription; other
failures retry on the schedule (about a day, with jitter, never sooner than the
endpoint's ``Retry-After``) and give up after its last step; an endpoint that has been
failing for ``disable_after`` is disabled. Each attempt and change is appended to the
delivery's log, which the owner reads through the API.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import (
    Channel,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    OutboxEvent,
    ProfileVersion,
    Subscription,
    SubscriptionStatus,
)
from registry.services import subscriptions

# Seconds from the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h.
RETRY_OFFSETS_S = (5, 300, 1800, 7200, 18000, 36000, 86400)
RETRY_DELAYS_S = tuple(b - a for a, b in zip((0, *RETRY_OFFSETS_S), RETRY_OFFSETS_S, strict=False))
JITTER = 0.1  # each wait stretched or shrunk by up to 10 %
DISABLE_AFTER = timedelta(days=1)
LEASE = timedelta(seconds=60)  # longer than one attempt may take (15 s total timeout)


@dataclass(frozen=True, slots=True)
class Policy:
    """Retry and lease settings (the app's config; tests shorten them)."""

    delays_s: Sequence[float] = RETRY_DELAYS_S
    disable_after: timedelta = DISABLE_AFTER
    lease: timedelta = LEASE
    jitter: float = JITTER


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one send, channel-neutral."""

    delivered: bool
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    permanent: bool = False  # 410 Gone, a recipient refused for good

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass
class Work:
    """What one send needs, read in the claiming transaction."""

    subscription_id: int
    channel: Channel
    target: str  # URL or address
    secrets: list[str]
    delivery_ids: list[int]  # one for a webhook; every event of an email digest
    webhook_id: str
    events: list[dict[str, Any]] = field(default_factory=list)  # type, payload, created_at
    kind: DeliveryKind = DeliveryKind.EVENT
    filters: dict[str, Any] = field(default_factory=dict)
    pending_confirmation: bool = False  # the subscription still waits for its link


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(Delivery.status == DeliveryStatus.PENDING, Delivery.next_try_at <= now),
        sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
    )


def due_count(session: Session, now: datetime | None = None) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count()).select_from(Delivery).where(_claimable(now or utcnow()))
        )
        or 0
    )


def claim(
    session: Session, *, limit: int, policy: Policy, now: datetime | None = None
) -> list[int]:
    """Claim up to ``limit`` due deliveries (and, for an email subscription, every other
    due one of it, for one digest); their ids. Flushed, not committed."""
    now = now or utcnow()
    found = session.execute(
        sa.select(Delivery.id, Subscription.channel)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(_claimable(now))
        .order_by(Delivery.next_try_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery.__table__)
    ).all()
    if not found:
        return []
    ids = [i for i, _ in found]
    if any(channel is Channel.EMAIL for _, channel in found):
        mail_subs = list(
            session.scalars(
                sa.select(Delivery.subscription_id)
                .distinct()
                .join(Subscription)
                .where(Delivery.id.in_(ids), Subscription.channel == Channel.EMAIL)
            )
        )
        ids += [
            i
            for i in session.scalars(
                sa.select(Delivery.id)
                .where(
                    _claimable(now),
                    Delivery.subscription_id.in_(mail_subs),
                    Delivery.id.not_in(ids),
                )
                .with_for_update(skip_locked=True)
            )
        ]
    taken = session.execute(
        sa.update(Delivery)
        .where(Delivery.id.in_(ids), _claimable(now))
        .values(
            status=DeliveryStatus.SENDING,
            lease_until=now + policy.lease,
            attempts=Delivery.attempts + 1,
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(taken.scalars())


def work(session: Session, ids: Sequence[int]) -> list[Work]:
    """The sends for claimed deliveries: one per webhook delivery, one per email digest,
    one per confirmation mail (never part of a digest). Columns, not ORM objects, and
    each event's payload read once however many deliveries it has (a fan-out's chunk
    is one event to a hundred subscribers)."""
    if not ids:
        return []
    rows = session.execute(
        sa.select(
            Delivery.id,
            Delivery.kind,
            Delivery.event_id,
            Delivery.webhook_id,
            Subscription.id,
            Subscription.channel,
            Subscription.url,
            Subscription.email,
            Subscription.secrets,
            Subscription.previous_secret_expires_at,
            Subscription.status,
            Subscription.filters,
        )
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.id.in_(list(ids)))
        .order_by(Delivery.id)
    ).all()
    event_ids = sorted({r[2] for r in rows if r[2] is not None})
    events = (
        {
            e_id: {"type": e_type, "payload": payload, "created_at": created, "event_id": e_id}
            for e_id, e_type, payload, created in session.execute(
                sa.select(
                    OutboxEvent.id, OutboxEvent.type, OutboxEvent.payload, OutboxEvent.created_at
                ).where(OutboxEvent.id.in_(event_ids))
            )
        }
        if event_ids
        else {}
    )
    now = utcnow()
    out: list[Work] = []
    digests: dict[int, Work] = {}
    for (
        d_id,
        kind,
        event_id,
        webhook_id,
        sub_id,
        channel,
        url,
        email,
        secrets,
        expires,
        status,
        filters,
    ) in rows:
        item = events.get(event_id) if event_id is not None else None
        if kind is DeliveryKind.CONFIRMATION or item is None:
            out.append(
                Work(
                    sub_id,
                    channel,
                    email or "",
                    [],
                    [d_id],
                    webhook_id,
                    [],
                    DeliveryKind.CONFIRMATION,
                    dict(filters or {}),
                    status is SubscriptionStatus.PENDING_CONFIRMATION,
                )
            )
            continue
        if channel is Channel.EMAIL and sub_id in digests:
            digests[sub_id].delivery_ids.append(d_id)
            digests[sub_id].events.append(item)
            continue
        one = Work(
            sub_id,
            channel,
            url or email or "",
            subscriptions.active_secrets(secrets, expires, now),
            [d_id],
            webhook_id,
            [item],
        )
        if channel is Channel.EMAIL:
            digests[sub_id] = one
        out.append(one)
    return out


def profile_names(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            sa.select(ProfileVersion.code, ProfileVersion.name).where(ProfileVersion.current)
        ).all()
    )


def webhook_body(item: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The contract's webhook payload for one event."""
    payload = item["payload"] or {}
    data = {k: v for k, v in payload.items() if k != "path"}
    data["url"] = base_url.rstrip("/") + payload.get("path", "")
    return {"type": item["type"], "timestamp": item["created_at"].isoformat(), "data": data}


def record(
    session: Session,
    outcomes: Sequence[tuple[Work, Attempt]],
    *,
    policy: Policy,
    now: datetime | None = None,
) -> None:
    """Write sends' outcomes to their deliveries and subscriptions (flushed only).

    Delivered sends, nearly all of a chunk, are written as one executemany of column
    values (no ORM objects); failures, rarer and with more to decide (retry, disable),
    through the ORM.
    """
    now = now or utcnow()
    delivered = [(w, a) for w, a in outcomes if a.delivered]
    failed = [(w, a) for w, a in outcomes if not a.delivered]
    if delivered:
        _record_delivered(session, delivered, now)
    if not failed:
        return
    ids = [i for w, _ in failed for i in w.delivery_ids]
    with session.no_autoflush:
        rows = {d.id: d for d in session.scalars(sa.select(Delivery).where(Delivery.id.in_(ids)))}
        subs = {
            s.id: s
            for s in session.scalars(
                sa.select(Subscription).where(
                    Subscription.id.in_({w.subscription_id for w, _ in failed})
                )
            )
        }
        for work_item, attempt in failed:
            found = [rows[i] for i in work_item.delivery_ids if i in rows]
            sub = subs.get(work_item.subscription_id)
            if sub is not None:
                _record(session, sub, found, attempt, policy, now)


def _record_delivered(
    session: Session, outcomes: Sequence[tuple[Work, Attempt]], now: datetime
) -> None:
    table = cast(sa.Table, Delivery.__table__)
    attempt_of = {i: a for w, a in outcomes for i in w.delivery_ids}
    rows = session.execute(
        sa.select(table.c.id, table.c.attempts, table.c.log).where(
            table.c.id.in_(list(attempt_of)), table.c.status == DeliveryStatus.SENDING
        )
    ).all()
    if not rows:
        return  # deleted meanwhile, or another worker took over after the lease ran out
    values = []
    for d_id, attempts, log in rows:
        attempt = attempt_of[d_id]
        entry = {
            "at": now.isoformat(),
            "attempt": attempts,
            "status_code": attempt.status_code,
            "error": attempt.error,
            "delivered": True,
        }
        values.append(
            {
                "b_id": d_id,
                "b_code": attempt.status_code,
                "b_error": attempt.error,
                "b_log": [*(log or []), entry],
            }
        )
    session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"), table.c.status == DeliveryStatus.SENDING)
        .values(
            status=DeliveryStatus.DELIVERED,
            delivered_at=now,
            next_try_at=None,
            lease_until=None,
            last_status_code=sa.bindparam("b_code"),
            last_error=sa.bindparam("b_error"),
            log=sa.bindparam("b_log", type_=table.c.log.type),
        ),
        values,
    )
    subs = sorted({w.subscription_id for w, _ in outcomes})
    subs_table = cast(sa.Table, Subscription.__table__)
    session.execute(
        sa.update(subs_table)
        .where(subs_table.c.id.in_(subs), subs_table.c.failing_since.is_not(None))
        .values(failing_since=None)
    )


def _record(
    session: Session,
    sub: Subscription,
    found: list[Delivery],
    attempt: Attempt,
    policy: Policy,
    now: datetime,
) -> None:
    rows = [d for d in found if d.status is DeliveryStatus.SENDING]
    if not rows:
        return  # deleted meanwhile, or another worker took over after the lease ran out
    for d in rows:
        d.last_status_code, d.last_error, d.lease_until = attempt.status_code, attempt.error, None
        d.log = [
            *d.log,
            {
                "at": now.isoformat(),
                "attempt": d.attempts,
                "status_code": attempt.status_code,
                "error": attempt.error,
                "delivered": attempt.delivered,
            },
        ]
    if attempt.delivered:
        sub.failing_since = None
        for d in rows:
            d.status, d.delivered_at, d.next_try_at = DeliveryStatus.DELIVERED, now, None
        return
    sub.failing_since = sub.failing_since or now
    if attempt.gone or attempt.permanent:
        reason = (
            "the endpoint answered 410 Gone"
            if attempt.gone
            else f"refused for good: {attempt.error}"
        )
        _disable(session, sub, reason, now)
    elif now - sub.failing_since >= policy.disable_after:
        _disable(session, sub, f"failing since {sub.failing_since.isoformat()}", now)
    else:
        _reschedule(rows, attempt, policy, now)


def _reschedule(rows: list[Delivery], attempt: Attempt, policy: Policy, now: datetime) -> None:
    """The next try of a send's deliveries: one time for all (an email digest stays one)."""
    tries = max(d.attempts for d in rows)
    if tries > len(policy.delays_s):
        for d in rows:
            d.status, d.next_try_at = DeliveryStatus.FAILED, None
            d.log = [*d.log, {"at": now.isoformat(), "note": "gave up: every retry failed"}]
        return
    wait = policy.delays_s[tries - 1] * (1 + random.uniform(-policy.jitter, policy.jitter))
    if attempt.retry_after_s is not None:
        wait = max(wait, min(attempt.retry_after_s, policy.disable_after.total_seconds()))
    for d in rows:
        d.status, d.next_try_at = DeliveryStatus.PENDING, now + timedelta(seconds=wait)


def _disable(session: Session, sub: Subscription, reason: str, now: datetime) -> None:
    """Disable the subscription and give up its waiting deliveries, saying why in each log."""
    subscriptions.disable(sub, reason, now)
    note = {"at": now.isoformat(), "note": f"subscription disabled: {reason}"}
    for d in session.scalars(
        sa.select(Delivery).where(
            Delivery.subscription_id == sub.id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        )
    ):
        d.status, d.next_try_at, d.lease_until = DeliveryStatus.FAILED, None, None
        d.log = [*d.log, note]
