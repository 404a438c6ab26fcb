"""The Atom feed (read by feedparser), and fan-out's promises: one delivery per
matching subscription and event, none for a rolled-back transaction, nothing lost
when a process stops between any two steps."""

from __future__ import annotations

import time

import feedparser
import sqlalchemy as sa

from registry.db import utcnow
from registry.extensions import db
from registry.models import Delivery, OutboxEvent
from registry.services import deliveries, fanout
from registry.tasks import alerts
from tests.alerts.conftest import bearer, upload, with_lead
from tests.alerts.test_webhooks import subscribe


def test_feed_is_valid_atom_with_stable_ids_and_etag(quiet_app) -> None:
    client = quiet_app.test_client()
    uploader = bearer(quiet_app)
    upload(client, uploader, with_lead("0.3", lot="GOOD-1"))
    bad1 = upload(client, uploader, with_lead("2.1", lot="BAD-1"))
    bad2 = upload(client, uploader, with_lead("3.0", lot="BAD-2"))
    resp = client.get("/feeds/failures.atom")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    parsed = feedparser.parse(resp.data)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert [e.link for e in parsed.entries] == [
        f"https://registry.example.org/batches/{bad2['batch']['id']}",
        f"https://registry.example.org/batches/{bad1['batch']['id']}",
    ]
    first = parsed.entries[1]
    assert "BAD-1" in first.title and "Lead 2.1 µg/g is over" in first.summary
    assert first.updated_parsed and parsed.feed.updated_parsed and first.id.startswith("tag:")
    assert {t.term for t in first.tags} >= {"lead"}

    again = client.get("/feeds/failures.atom")
    assert [e.id for e in feedparser.parse(again.data).entries] == [e.id for e in parsed.entries]
    etag = resp.headers["ETag"]
    assert again.headers["ETag"] == etag
    assert client.get("/feeds/failures.atom", headers={"If-None-Match": etag}).status_code == 304
    upload(client, uploader, with_lead("4.0", lot="BAD-3"))
    newer = client.get("/feeds/failures.atom", headers={"If-None-Match": etag})
    assert newer.status_code == 200 and len(feedparser.parse(newer.data).entries) == 3

    only = feedparser.parse(client.get("/feeds/failures.atom?lot=bad 1").data)
    assert [e.link for e in only.entries] == [first.link]
    assert feedparser.parse(client.get("/feeds/failures.atom?profile=ahpa&lot=BAD1").data).bozo == 0
    wrong = client.get("/feeds/failures.atom?vendor=Nobody")
    assert wrong.status_code == 422 and "vendor" in wrong.get_json()["errors"]["filters"]


def test_feed_keeps_the_newest_hundred(quiet_app) -> None:
    client = quiet_app.test_client()
    bad = upload(client, bearer(quiet_app), with_lead("2.1"))
    with quiet_app.app_context():
        template = db.session.scalar(
            sa.select(OutboxEvent).where(
                OutboxEvent.profile_code == "utah-r70-580", OutboxEvent.type == "batch.failed"
            )
        )
        db.session.add_all(
            [
                OutboxEvent(
                    type=template.type,
                    batch_id=template.batch_id,
                    profile_code=template.profile_code,
                    payload=template.payload,
                    created_at=utcnow(),
                )
                for _ in range(120)
            ]
        )
        db.session.commit()
        newest = db.session.scalar(sa.select(sa.func.max(OutboxEvent.id)))
    entries = feedparser.parse(client.get("/feeds/failures.atom").data).entries
    assert len(entries) == 100 and entries[0].id.endswith(f"/events/{newest}")
    assert bad["batch"]


def test_rolled_back_events_are_never_sent(quiet_app, sink) -> None:
    client = quiet_app.test_client()
    subscribe(client, bearer(quiet_app, "subscriber"), sink.url)
    upload(client, bearer(quiet_app), with_lead("2.1"))
    with quiet_app.app_context():
        template = db.session.scalar(
            sa.select(OutboxEvent).where(OutboxEvent.profile_code == "utah-r70-580")
        )
        db.session.add(
            OutboxEvent(
                type=template.type,
                batch_id=template.batch_id,
                profile_code=template.profile_code,
                payload=template.payload,
            )
        )
        db.session.flush()
        db.session.rollback()  # the judgement that wrote it failed
        assert alerts.dispatch().deliveries == 1
        assert alerts.deliver_due() == 1
    assert len(sink.received) == 1


def test_nothing_lost_when_a_process_stops_between_steps(quiet_app, sink) -> None:
    client = quiet_app.test_client()
    sub = subscribe(client, bearer(quiet_app, "subscriber"), sink.url)
    second = subscribe(client, bearer(quiet_app, "subscriber"), sink.url, filters={"lot": "other"})
    upload(client, bearer(quiet_app), with_lead("2.1"))
    with quiet_app.app_context():
        # Dies inside fan-out, before its commit: neither deliveries nor the mark remain.
        fanout.fan_out(
            db.session, default_profile="utah-r70-580", digest_window=alerts.timedelta(seconds=1)
        )
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
        assert db.session.scalar(sa.select(OutboxEvent.dispatched_at)) is None
        # Fan-out commits, then dies before any send: the deliveries wait, claimable.
        assert alerts.dispatch().deliveries == 1
        assert alerts.dispatch().deliveries == 0  # a second fan-out adds nothing
        # A claim whose worker dies mid-send: claimable again once its lease runs out.
        rules = alerts.policy(quiet_app)
        ids = deliveries.claim(db.session, limit=10, policy=rules)
        db.session.commit()
        assert len(ids) == 1 and deliveries.claim(db.session, limit=10, policy=rules) == []
        db.session.rollback()
    time.sleep(rules.lease.total_seconds() + 0.2)
    with quiet_app.app_context():
        assert alerts.deliver_due() == 1
    [got] = sink.received
    with quiet_app.app_context():
        [row] = db.session.scalars(sa.select(Delivery)).all()
        assert row.subscription_id == sub["id"] != second["id"]
        assert row.status.value == "delivered" and row.attempts == 2
        assert got.headers["webhook-id"] == row.webhook_id


def test_subscriptions_hear_only_later_events(quiet_app, sink) -> None:
    client = quiet_app.test_client()
    upload(client, bearer(quiet_app), with_lead("2.1", lot="OLD-1"))
    subscribe(client, bearer(quiet_app, "subscriber"), sink.url)
    upload(client, bearer(quiet_app), with_lead("2.1", lot="NEW-1"))
    with quiet_app.app_context():
        report = alerts.dispatch()
        assert report.events >= 2 and report.deliveries == 1  # one event per failing profile
        alerts.deliver_due()
    [got] = sink.received
    assert b"NEW-1" in got.body
