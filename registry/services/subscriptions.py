"""Subscriptions to failure alerts: who wants which failing batches, and how.

A subscription names a channel (a webhook URL or an email address), filters (vendor,
product, lot, category, analyte, profile; absent filters match everything, and no
profile means the default one), and the events it wants: ``batch.failed`` always,
``batch.recovered`` when asked for.

It belongs to the API token that made it: only that token lists it, reads its
deliveries, redelivers or deletes it. An email address signed up without a token is
``pending_confirmation`` until the signed link mailed to it is followed (double
opt-in); nothing is sent to it before, and sign-ups per address are rate-limited.
The confirmation mail is stored as a delivery in the sign-up's transaction and sent by
the alert workers with their retries; sign-ups left unconfirmed after the link expired
are pruned by the sweeper (``prune_unconfirmed``, also ``flask --app wsgi alerts prune``).
Every email carries a signed one-click unsubscribe link.

Input that cannot work is refused here with a 422 naming the field: a URL that is not
http(s) or reaches a private address (``registry.alerts.ssrf``), an address that is not
deliverable syntax, an unknown vendor, profile, category or analyte.
"""

from __future__ import annotations

import base64
import secrets as random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import email_validator
import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from registry.alerts import ssrf
from registry.db import utcnow
from registry.errors import BadRequest, NotFound, TooManyRequests, Unauthorized, Unprocessable
from registry.models import (
    ApiToken,
    Channel,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    ProfileVersion,
    Signup,
    Subscription,
    SubscriptionStatus,
    Vendor,
)
from registry.services.catalog import find_vendor
from registry.services.names import lot_key, name_key
from registry.thresholds.analytes import ANALYTES

FAILED, RECOVERED = "batch.failed", "batch.recovered"
EVENTS = (FAILED, RECOVERED)
CATEGORIES = frozenset(a.category for a in ANALYTES.values())
FILTERS = ("vendor", "product", "lot", "category", "analyte", "profile")

SIGNUPS_PER_HOUR = 3  # tokenless sign-ups per address
SIGNUP_WINDOW = timedelta(hours=1)  # ... within this window
CONFIRM_MAX_AGE = timedelta(days=3)
ROTATION_OVERLAP = timedelta(hours=24)  # an old secret keeps signing this long


@dataclass(frozen=True, slots=True)
class Created:
    subscription: Subscription
    secret: str | None  # a webhook's signing secret, shown once
    needs_confirmation: bool


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(random.token_bytes(32)).decode()


def new_message_id() -> str:
    return "msg_" + random.token_hex(12)


# --------------------------------------------------------------------------- validation


def check_url(url: str, allowed: frozenset[str]) -> str:
    try:
        ssrf.resolve(url, allowed)
    except ssrf.UnsafeURL as exc:
        raise Unprocessable(str(exc), errors={"url": [str(exc)]}) from None
    return url


def check_email(address: str) -> str:
    try:
        return email_validator.validate_email(address, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as exc:
        raise Unprocessable(str(exc), errors={"email": [str(exc)]}) from None


def normalize_filters(
    session: Session, raw: Mapping[str, Any], default_profile: str
) -> dict[str, str]:
    """Filters as stored: vendor by slug, the others checked; 422 naming the filter."""
    problems: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for key, value in raw.items():
        if value is None or str(value).strip() == "":
            continue
        value = str(value).strip()
        if key == "vendor":
            vendor = find_vendor(session, value) or session.scalar(
                sa.select(Vendor).where(Vendor.slug == value.lower())
            )
            if vendor is None:
                problems["vendor"] = [f"no vendor {value!r} in the registry"]
            else:
                out["vendor"] = vendor.slug
        elif key == "profile":
            if (
                session.scalar(
                    sa.select(ProfileVersion.id).where(
                        ProfileVersion.code == value, ProfileVersion.current
                    )
                )
                is None
            ):
                problems["profile"] = [f"no profile {value!r}"]
            else:
                out["profile"] = value
        elif key == "category":
            if value not in CATEGORIES:
                problems["category"] = [f"one of {', '.join(sorted(CATEGORIES))}"]
            else:
                out["category"] = value
        elif key == "analyte":
            if value not in ANALYTES:
                problems["analyte"] = [f"no analyte code {value!r}"]
            else:
                out["analyte"] = value
        elif key in ("product", "lot"):
            out[key] = value
        else:
            problems[key] = ["unknown filter"]
    if problems:
        raise Unprocessable("invalid filters", errors={"filters": problems})
    out.setdefault("profile", default_profile)
    return out


def matches(filters: Mapping[str, str], event: Mapping[str, Any], default_profile: str) -> bool:
    """Does an event (its type, profile, batch names, vendor slug, failures) match?

    Category and analyte filters select failures; a recovery has none, so it matches on
    the other filters alone (who heard of the failure hears of the recovery).
    """
    if event["profile"] != filters.get("profile", default_profile):
        return False
    if "vendor" in filters and event["vendor_slug"] != filters["vendor"]:
        return False
    if "product" in filters and name_key(event.get("product") or "") != name_key(
        filters["product"]
    ):
        return False
    if "lot" in filters and lot_key(event.get("lot") or "") != lot_key(filters["lot"]):
        return False
    if event["type"] == FAILED and ("category" in filters or "analyte" in filters):
        return any(_failure_matches(filters, f) for f in event.get("failures") or ())
    return True


def _failure_matches(filters: Mapping[str, str], failure: Mapping[str, Any]) -> bool:
    code = failure.get("analyte")
    known = ANALYTES.get(code) if isinstance(code, str) else None
    if "analyte" in filters and code != filters["analyte"]:
        return False
    return "category" not in filters or (
        known is not None and known.category == filters["category"]
    )


# --------------------------------------------------------------------------- lifecycle


def create(
    session: Session,
    *,
    channel: Channel,
    token: ApiToken | None,
    url: str | None,
    email: str | None,
    filters: Mapping[str, Any],
    events: list[str],
    default_profile: str,
    allowed_hosts: frozenset[str],
) -> Created:
    """A new subscription (flushed, not committed)."""
    stored_filters = normalize_filters(session, filters, default_profile)
    wanted = [e for e in EVENTS if e == FAILED or e in events]
    sub = Subscription(
        channel=channel,
        token_id=token.id if token else None,
        filters=stored_filters,
        events=wanted,
        secrets=[],
        status=SubscriptionStatus.ACTIVE,
        created_at=utcnow(),
    )
    secret = None
    if channel is Channel.WEBHOOK:
        if token is None:
            raise Unauthorized("a webhook subscription needs an API token")
        sub.url = check_url(url or "", allowed_hosts)
        secret = new_secret()
        sub.secrets = [secret]
    else:
        sub.email = check_email(email or "")
        if token is None:
            _rate_limit(session, sub.email)
            sub.status = SubscriptionStatus.PENDING_CONFIRMATION
            session.add(Signup(email=sub.email, at=utcnow()))
        else:
            sub.confirmed_at = utcnow()
    session.add(sub)
    session.flush()
    pending = sub.status is SubscriptionStatus.PENDING_CONFIRMATION
    if pending:
        # The confirmation mail is a delivery written with the sign-up: a crash before it
        # is sent loses nothing, and a refusing mail server is retried like any alert.
        session.add(
            Delivery(
                subscription_id=sub.id,
                kind=DeliveryKind.CONFIRMATION,
                event_id=None,
                webhook_id=new_message_id(),
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_try_at=utcnow(),
                created_at=utcnow(),
                log=[],
            )
        )
        session.flush()
    return Created(sub, secret, pending)


def _rate_limit(session: Session, address: str) -> None:
    since = utcnow() - SIGNUP_WINDOW
    recent = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Signup)
            .where(Signup.email == address, Signup.at >= since)
        )
        or 0
    )
    if recent >= SIGNUPS_PER_HOUR:
        raise TooManyRequests(
            f"too many sign-ups for {address} in the last hour; "
            "confirm one of the mails already sent",
            retry_after_s=3600,
        )


def prune_unconfirmed(session: Session, now: datetime | None = None) -> tuple[int, int]:
    """Forget sign-ups nobody confirmed: subscriptions still pending after their link
    expired (``CONFIRM_MAX_AGE``; their deliveries go with them, ON DELETE CASCADE), and
    sign-up records older than the rate limit's window, which no longer count. The
    records inside the window stay, so pruning never lifts the limit on an address.
    How many subscriptions and records were removed (flushed, not committed)."""
    now = now or utcnow()
    stale = session.execute(
        sa.delete(Subscription)
        .where(
            Subscription.status == SubscriptionStatus.PENDING_CONFIRMATION,
            Subscription.token_id.is_(None),
            Subscription.created_at < now - CONFIRM_MAX_AGE,
        )
        .execution_options(synchronize_session=False)
    )
    old = session.execute(
        sa.delete(Signup)
        .where(Signup.at < now - SIGNUP_WINDOW)
        .execution_options(synchronize_session=False)
    )
    return (
        cast(CursorResult[Any], stale).rowcount or 0,
        cast(CursorResult[Any], old).rowcount or 0,
    )


def owned(session: Session, token: ApiToken) -> list[Subscription]:
    return list(
        session.scalars(
            sa.select(Subscription)
            .where(Subscription.token_id == token.id)
            .order_by(Subscription.id)
        )
    )


def get_owned(session: Session, token: ApiToken, sub_id: int) -> Subscription:
    """The subscription if ``token`` made it; 404 otherwise (no probing of others' ids)."""
    sub = session.get(Subscription, sub_id)
    if sub is None or sub.token_id != token.id:
        raise NotFound(f"no subscription {sub_id} of this token")
    return sub


def delete(session: Session, sub: Subscription) -> None:
    session.delete(sub)
    session.flush()


def disable(sub: Subscription, reason: str, now: datetime | None = None) -> None:
    sub.status = SubscriptionStatus.DISABLED
    sub.status_reason = reason[:500]
    sub.disabled_at = now or utcnow()


def enable(sub: Subscription) -> None:
    """Re-enable a disabled subscription (its owner fixed the endpoint)."""
    if sub.status is not SubscriptionStatus.DISABLED:
        return
    sub.status = SubscriptionStatus.ACTIVE
    sub.status_reason = None
    sub.disabled_at = None
    sub.failing_since = None


def rotate_secret(sub: Subscription, now: datetime | None = None) -> str:
    """A new signing secret; the previous one signs too for ``ROTATION_OVERLAP``."""
    if sub.channel is not Channel.WEBHOOK:
        raise BadRequest("only webhooks have a signing secret")
    now = now or utcnow()
    secret = new_secret()
    sub.secrets = [secret, sub.secrets[0]] if sub.secrets else [secret]
    sub.previous_secret_expires_at = now + ROTATION_OVERLAP
    return secret


def signing_secrets(sub: Subscription, now: datetime | None = None) -> list[str]:
    return active_secrets(sub.secrets, sub.previous_secret_expires_at, now or utcnow())


def active_secrets(
    secrets: list[str] | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The secrets that sign now: the newest, and the previous one until it expires."""
    expired = previous_expires_at is not None and previous_expires_at < now
    return list((secrets or [])[:1] if expired else (secrets or []))


def deliveries(session: Session, sub: Subscription, *, limit: int = 100) -> list[Delivery]:
    return list(
        session.scalars(
            sa.select(Delivery)
            .where(Delivery.subscription_id == sub.id)
            .order_by(Delivery.id.desc())
            .limit(limit)
        )
    )


def redeliver(session: Session, sub: Subscription, delivery_id: int) -> Delivery:
    """Send a delivery again now (same ``webhook-id``), whatever became of it."""
    found = session.get(Delivery, delivery_id)
    if found is None or found.subscription_id != sub.id:
        raise NotFound(f"no delivery {delivery_id} of subscription {sub.id}")
    if sub.status is SubscriptionStatus.DISABLED:
        raise Unprocessable(
            "the subscription is disabled; enable it first",
            errors={"status": [sub.status_reason or "disabled"]},
        )
    now = utcnow()
    found.status, found.next_try_at, found.lease_until = DeliveryStatus.PENDING, now, None
    found.log = [*found.log, {"at": now.isoformat(), "note": "redelivery asked by the owner"}]
    return found


# --------------------------------------------------------------------------- signed links


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"registry.subscriptions.{purpose}")


def link_token(secret_key: str, purpose: str, sub_id: int, email: str | None) -> str:
    """A signed link naming one subscription and its address (confirm or unsubscribe)."""
    return _serializer(secret_key, purpose).dumps({"id": sub_id, "email": email})


def from_link(session: Session, secret_key: str, purpose: str, token: str) -> Subscription | None:
    """The subscription a signed link names; None when it is gone already.
    A forged, altered or (for confirmation) stale link is a 400."""
    max_age = int(CONFIRM_MAX_AGE.total_seconds()) if purpose == "confirm" else None
    try:
        data = _serializer(secret_key, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadRequest("the link has expired; sign up again") from None
    except BadSignature:
        raise BadRequest("the link is not valid") from None
    sub = session.get(Subscription, int(data["id"]))
    if sub is None or sub.email != data.get("email"):
        return None
    return sub


def confirm(sub: Subscription) -> bool:
    """Follow a confirmation link; True when it activated the subscription now."""
    if sub.status is not SubscriptionStatus.PENDING_CONFIRMATION:
        return False
    sub.status = SubscriptionStatus.ACTIVE
    sub.confirmed_at = utcnow()
    return True
