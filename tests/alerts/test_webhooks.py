"""Webhooks end to end on the embedded runner: upload a failing COA, the loopback sink
receives a POST that the standardwebhooks verifier accepts; retries, 410, SSRF."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.models import Delivery, Subscription
from registry.schemas.subscriptions import WebhookPayloadSchema
from tests.alerts.conftest import bearer, upload, with_lead


def subscribe(client: Any, headers: dict[str, str], url: str, **extra: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/subscriptions", headers=headers, json={"channel": "webhook", "url": url, **extra}
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def deliveries(client: Any, headers: dict[str, str], sub: dict[str, Any]) -> list[dict[str, Any]]:
    resp = client.get(sub["deliveries_url"], headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def wait_until(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_failing_upload_reaches_the_sink_signed(alert_app, sink) -> None:
    client = alert_app.test_client()
    owner, uploader = bearer(alert_app, "subscriber"), bearer(alert_app)
    sub = subscribe(client, owner, sink.url)
    assert sub["secret"].startswith("whsec_") and sub["status"] == "active"
    sink.secret = sub["secret"]
    assert (
        "secret" not in client.get(f"/api/v1/subscriptions/{sub['id']}", headers=owner).get_json()
    )

    passing = upload(client, uploader, with_lead("0.31", lot="OK-1"))
    failing = upload(client, uploader, with_lead("2.1", lot="BAD-1"))
    [got] = sink.wait(1)
    assert got.error is None and got.verified is not None
    body = got.verified
    assert body["type"] == "batch.failed"
    data = body["data"]
    assert data["batch"]["id"] == failing["batch"]["id"] != passing["batch"]["id"]
    assert data["batch"]["lot"] == "BAD-1" and data["profile"] == "utah-r70-580"
    assert data["certificate_id"] == failing["id"]
    assert data["url"] == f"https://registry.example.org/batches/{failing['batch']['id']}"
    lead = next(f for f in data["failures"] if f["analyte"] == "lead")
    assert lead["value"] == 2.1 and lead["limit"] == 1.2 and lead["source"]
    assert got.headers["webhook-id"].startswith("msg_")
    assert WebhookPayloadSchema().validate(body) == {}  # the shape the OpenAPI document shows

    log = wait_until(
        lambda: [d for d in deliveries(client, owner, sub) if d["status"] == "delivered"]
    )
    assert log[0]["webhook_id"] == got.headers["webhook-id"]
    assert (
        log[0]["attempts"] == 1
        and log[0]["last_status"] == 200
        and log[0]["event"] == "batch.failed"
    )
    time.sleep(0.5)
    assert len(sink.received) == 1  # passing batch, other profiles: nothing


def test_refused_three_times_then_delivered_once_with_the_same_id(alert_app, sink) -> None:
    client = alert_app.test_client()
    owner = bearer(alert_app, "subscriber")
    sink.respond = lambda n: 503 if n <= 3 else 204
    sink.secret = subscribe(client, owner, sink.url)["secret"]
    upload(client, bearer(alert_app), with_lead("2.1"))
    posts = sink.wait(4)
    time.sleep(1.0)  # nothing more after the success
    assert len(sink.received) == 4
    assert len({p.headers["webhook-id"] for p in posts}) == 1
    assert all(p.verified is not None for p in posts)
    assert len({p.headers["webhook-timestamp"] for p in posts}) >= 1
    [d] = deliveries(
        client, owner, client.get("/api/v1/subscriptions", headers=owner).get_json()[0]
    )
    assert d["status"] == "delivered" and d["attempts"] == 4
    assert [e.get("status_code") for e in d["log"] if "attempt" in e] == [503, 503, 503, 204]


def test_retry_after_is_honoured(quiet_app, sink) -> None:
    from registry.tasks import alerts

    client = quiet_app.test_client()
    owner = bearer(quiet_app, "subscriber")
    sink.respond = lambda n: (429, {"Retry-After": "120"}) if n == 1 else 200
    subscribe(client, owner, sink.url)
    upload(client, bearer(quiet_app), with_lead("2.1"))
    with quiet_app.app_context():
        alerts.dispatch()
        assert alerts.deliver_due() == 1
        assert alerts.deliver_due() == 0  # not due: the endpoint asked for 2 minutes
        d = db.session.scalar(sa.select(Delivery))
        wait = (d.next_try_at - datetime.fromisoformat(d.log[-1]["at"])).total_seconds()
        assert 119 <= wait <= 121 and d.last_status_code == 429


def test_gone_disables_the_subscription(alert_app, sink) -> None:
    client = alert_app.test_client()
    owner = bearer(alert_app, "subscriber")
    sink.respond = lambda n: 410
    sub = subscribe(client, owner, sink.url)
    upload(client, bearer(alert_app), with_lead("2.1", lot="A-1"))
    sink.wait(1)
    got = wait_until(
        lambda: (
            (s := client.get(f"/api/v1/subscriptions/{sub['id']}", headers=owner).get_json())[
                "status"
            ]
            == "disabled"
            and s
        )
    )
    assert "410" in got["status_reason"]
    [d] = deliveries(client, owner, sub)
    assert d["status"] == "failed" and d["last_status"] == 410
    assert any("disabled" in e.get("note", "") for e in d["log"])
    upload(client, bearer(alert_app), with_lead("2.1", lot="A-2"))
    time.sleep(1.0)
    assert len(sink.received) == 1  # a disabled subscription gets nothing more
    redo = client.post(
        f"/api/v1/subscriptions/{sub['id']}/deliveries/{d['id']}/redeliver", headers=owner
    )
    assert redo.status_code == 422


def test_failing_for_a_day_disables(quiet_app, sink) -> None:
    from registry.tasks import alerts

    client = quiet_app.test_client()
    owner = bearer(quiet_app, "subscriber")
    sink.respond = lambda n: 500
    sub = subscribe(client, owner, sink.url)
    upload(client, bearer(quiet_app), with_lead("2.1"))
    with quiet_app.app_context():
        alerts.dispatch()
        alerts.deliver_due()
        row = db.session.get(Subscription, sub["id"])
        assert row.failing_since is not None and row.status.value == "active"
        row.failing_since = row.failing_since.replace(year=row.failing_since.year - 1)
        db.session.execute(sa.update(Delivery).values(next_try_at=row.failing_since))
        db.session.commit()
        alerts.deliver_due()
        row = db.session.get(Subscription, sub["id"], populate_existing=True)
        assert row.status.value == "disabled" and "failing since" in row.status_reason
    [d] = deliveries(client, owner, sub)
    assert d["status"] == "failed" and d["attempts"] == 2


def test_redeliver_keeps_the_webhook_id(alert_app, sink) -> None:
    client = alert_app.test_client()
    owner = bearer(alert_app, "subscriber")
    sub = subscribe(client, owner, sink.url)
    sink.secret = sub["secret"]
    upload(client, bearer(alert_app), with_lead("2.1"))
    first = sink.wait(1)[0]
    d = wait_until(
        lambda: [x for x in deliveries(client, owner, sub) if x["status"] == "delivered"]
    )[0]
    resp = client.post(
        f"/api/v1/subscriptions/{sub['id']}/deliveries/{d['id']}/redeliver", headers=owner
    )
    assert resp.status_code == 202
    second = sink.wait(2)[1]
    assert second.headers["webhook-id"] == first.headers["webhook-id"] and second.verified


def test_secret_rotation_signs_with_both(alert_app, sink) -> None:
    client = alert_app.test_client()
    owner = bearer(alert_app, "subscriber")
    sub = subscribe(client, owner, sink.url)
    new = client.post(f"/api/v1/subscriptions/{sub['id']}/secret", headers=owner).get_json()
    assert new["secret"] != sub["secret"] and new["previous_secret_expires_at"]
    sink.secret = sub["secret"]  # a receiver not yet switched still verifies
    upload(client, bearer(alert_app), with_lead("2.1"))
    got = sink.wait(1)[0]
    assert got.verified is not None and len(got.headers["webhook-signature"].split(" ")) == 2
    from standardwebhooks.webhooks import Webhook

    assert Webhook(new["secret"]).verify(got.body, got.headers)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/x",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::1]:9/x",
        "ftp://example.org/x",
        "not a url",
    ],
)
def test_private_or_bad_urls_are_refused_at_creation(make_app, url) -> None:
    app = make_app()  # no allow-list
    resp = app.test_client().post(
        "/api/v1/subscriptions",
        headers=bearer(app, "subscriber"),
        json={"channel": "webhook", "url": url},
    )
    assert resp.status_code == 422
    body = resp.get_json()
    assert resp.mimetype == "application/problem+json" and "url" in body["errors"]


def test_loopback_refused_at_delivery_when_the_allow_list_changes(make_app, sink) -> None:
    """Created while allow-listed, delivered after the allow-list dropped it: refused,
    and the sink never hears a thing (the guard runs again at delivery)."""
    from tests.alerts.conftest import FAST, load_profiles

    allowed = make_app(**FAST)
    load_profiles(allowed)
    client = allowed.test_client()
    owner = bearer(allowed, "subscriber")
    sub = subscribe(client, owner, sink.url)
    upload(client, bearer(allowed), with_lead("2.1"))
    strict = make_app(**{**FAST, "WEBHOOK_ALLOWED_HOSTS": ""})
    from registry.tasks import alerts

    with strict.app_context():
        alerts.dispatch()
        assert alerts.deliver_due() == 1
    [d] = deliveries(client, owner, sub)
    assert d["status"] == "pending" and "refused" in d["last_error"] and d["last_status"] is None
    assert sink.received == []


def test_filters_and_ownership(alert_app, sink) -> None:
    client = alert_app.test_client()
    owner, other = bearer(alert_app, "subscriber"), bearer(alert_app, "subscriber")
    upload(client, bearer(alert_app), with_lead("0.3", lot="SEED-001"))  # makes the vendor known
    bad = client.post(
        "/api/v1/subscriptions",
        headers=owner,
        json={
            "channel": "webhook",
            "url": sink.url,
            "filters": {"vendor": "Nobody Inc", "profile": "nope"},
        },
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]["filters"]) == {"vendor", "profile"}
    assert (
        client.post(
            "/api/v1/subscriptions", json={"channel": "webhook", "url": sink.url}
        ).status_code
        == 401
    )
    lot_only = subscribe(
        client,
        owner,
        sink.url,
        filters={"lot": "bad 2", "vendor": "ACME botanicals"},
        events=["batch.recovered"],
    )
    sink.secret = lot_only["secret"]
    assert lot_only["events"] == ["batch.failed", "batch.recovered"]
    assert lot_only["filters"]["vendor"] == "acme-botanicals"
    assert client.get(lot_only["deliveries_url"], headers=other).status_code == 404
    assert (
        client.delete(f"/api/v1/subscriptions/{lot_only['id']}", headers=other).status_code == 404
    )
    assert client.get("/api/v1/subscriptions", headers=other).get_json() == []

    upload(client, bearer(alert_app), with_lead("2.1", lot="BAD-1"))
    upload(client, bearer(alert_app), with_lead("2.1", lot="BAD-2"))
    [got] = sink.wait(1)
    assert got.verified["data"]["batch"]["lot"] == "BAD-2"
    time.sleep(0.5)
    assert len(sink.received) == 1
    assert (
        client.delete(f"/api/v1/subscriptions/{lot_only['id']}", headers=owner).status_code == 204
    )
    assert client.get("/api/v1/subscriptions", headers=owner).get_json() == []


def test_dns_rebinding_to_loopback_is_refused_at_delivery(quiet_app, sink, monkeypatch) -> None:
    """A name that answered a public address at sign-up and 127.0.0.1 at delivery: the
    delivery is refused before connecting. (DNS answers are the test's; the guard and
    the delivery path are the real ones, and nothing connects anywhere but loopback.)"""
    import socket

    from registry.tasks import alerts

    real = socket.getaddrinfo
    answer = {"hooks.example.net": "93.184.216.34"}

    def fake_dns(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answer:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    client = quiet_app.test_client()
    owner = bearer(quiet_app, "subscriber")
    sub = subscribe(client, owner, f"http://hooks.example.net:{sink.port}/hook")
    upload(client, bearer(quiet_app), with_lead("2.1"))
    answer["hooks.example.net"] = "127.0.0.1"  # rebound
    with quiet_app.app_context():
        alerts.dispatch()
        assert alerts.deliver_due() == 1
    [d] = deliveries(client, owner, sub)
    assert d["status"] == "pending" and "non-public address (127.0.0.1)" in d["last_error"]
    assert sink.received == []
