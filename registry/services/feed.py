"""The Atom feed of failing batches: the newest ``batch.failed`` events that match.

Entries are events, so an entry's id (``tag:<host>,2026:registry/events/<id>``) and
``updated`` time never change once written; filters are those of subscriptions. The
document is Atom 1.0 built with ElementTree (no string pasting), and its bytes depend
only on the entries and filters, so equal feeds carry equal ETags.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.alerts import mail
from registry.models import OutboxEvent
from registry.services import fanout, subscriptions
from registry.services.deliveries import profile_names

ATOM = "http://www.w3.org/2005/Atom"
NEWEST = 100
SCAN = 500  # events read per query while looking for matching ones
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

ET.register_namespace("", ATOM)


def entries(
    session: Session, filters: Mapping[str, str], default_profile: str, limit: int = NEWEST
) -> list[OutboxEvent]:
    """The newest ``limit`` failure events that match ``filters``."""
    profile = filters.get("profile", default_profile)
    found: list[OutboxEvent] = []
    before: int | None = None
    while len(found) < limit:
        stmt = (
            sa.select(OutboxEvent)
            .where(OutboxEvent.type == subscriptions.FAILED, OutboxEvent.profile_code == profile)
            .order_by(OutboxEvent.id.desc())
            .limit(SCAN)
        )
        if before is not None:
            stmt = stmt.where(OutboxEvent.id < before)
        chunk = list(session.scalars(stmt))
        if not chunk:
            break
        slugs = fanout.vendor_slugs(session, {e.batch_id for e in chunk if e.batch_id})
        found += [
            e
            for e in chunk
            if subscriptions.matches(
                filters, fanout.describe(e, slugs.get(e.batch_id or -1)), default_profile
            )
        ]
        before = chunk[-1].id
    return found[:limit]


def _tag(base_url: str, what: str) -> str:
    return f"tag:{urlsplit(base_url).hostname or 'localhost'},2026:registry/{what}"


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def atom(
    session: Session,
    events: list[OutboxEvent],
    *,
    base_url: str,
    self_url: str,
    filters: Mapping[str, str],
) -> bytes:
    """The feed document (UTF-8 bytes)."""
    base = base_url.rstrip("/")
    names = profile_names(session)
    root = ET.Element(f"{{{ATOM}}}feed")
    query = "&".join(f"{k}={v}" for k, v in sorted(filters.items()))
    _sub(root, "id", _tag(base, f"feeds/failures?{query}"))
    _sub(root, "title", "Failing kratom batches" + (f" ({query})" if query else ""))
    _sub(root, "updated", _stamp(max((e.created_at for e in events), default=EPOCH)))
    _sub(root, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(root, "link", rel="alternate", href=base + "/")
    _sub(_sub(root, "author"), "name", "Kratom COA Registry")
    _sub(root, "generator", "kratom-coa-registry")
    for event in events:
        _entry(root, event, base, names)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _entry(root: ET.Element, event: OutboxEvent, base: str, names: dict[str, str]) -> None:
    payload: dict[str, Any] = event.payload or {}
    profile = names.get(event.profile_code or "", event.profile_code or "")
    item = mail.item_from_event(event.type, payload, profile, base + payload.get("path", ""))
    entry = _sub(root, "entry")
    _sub(entry, "id", _tag(base, f"events/{event.id}"))
    what = f"{item.vendor}{', ' + item.product if item.product else ''}, lot {item.lot}"
    _sub(entry, "title", f"{what} failed under {profile}")
    _sub(entry, "updated", _stamp(event.created_at))
    _sub(entry, "published", _stamp(event.created_at))
    _sub(entry, "link", rel="alternate", href=item.url, type="text/html")
    _sub(entry, "summary", "; ".join(item.reasons) or "fails", type="text")
    for failure in payload.get("failures") or ():
        if failure.get("analyte"):
            _sub(entry, "category", term=str(failure["analyte"]))
