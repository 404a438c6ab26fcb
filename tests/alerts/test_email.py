"""Email alerts against a real SMTP server (aiosmtpd): double opt-in, digest, one-click
unsubscribe (RFC 8058), rate-limited sign-ups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.alerts.conftest import FAST, bearer, load_profiles, settled, upload, with_lead

BASE = FAST["BASE_URL"]


@pytest.fixture
def mail_app(make_app: Any, smtp: Any) -> Iterator[Flask]:
    app = make_app(
        **{**FAST, "ALERT_DIGEST_S": 4},
        ALERT_WORKER="auto",
        SMTP_URL=smtp.url,
        MAIL_FROM="alerts@registry.example.org",
    )
    load_profiles(app)
    yield app
    app.extensions["registry.alerts"].stop()


def link(text: str, path: str) -> str:
    found = re.search(re.escape(BASE) + re.escape(path) + r"[\w.\-]+", text)
    assert found, text
    return found.group(0)[len(BASE) :]


def text_and_html(msg: Any) -> tuple[str, str]:
    return (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content())


def test_double_opt_in_digest_and_one_click_unsubscribe(mail_app, smtp) -> None:
    client = mail_app.test_client()
    uploader = bearer(mail_app)
    resp = client.post(
        "/api/v1/subscriptions",
        json={
            "channel": "email",
            "email": "Reader@Example.org",
            "filters": {"category": "heavy_metal"},
        },
    )
    assert resp.status_code == 201, resp.get_json()
    sub = resp.get_json()
    assert sub["status"] == "pending_confirmation" and "secret" not in sub
    [confirm_mail] = smtp.wait(1)
    assert confirm_mail["To"] == "Reader@example.org"
    plain, html = text_and_html(confirm_mail)
    confirm = link(plain, "/alerts/confirm/")
    assert confirm in html
    assert confirm_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    upload(client, uploader, with_lead("2.1", lot="BEFORE-1"))  # before confirming
    events = settled(mail_app)  # its event fanned out, nothing waiting to be sent
    assert events >= 1, "the failing upload wrote its event"
    assert len(smtp.messages) == 1, "nothing is sent before confirmation"

    assert client.get(confirm + "x").status_code == 400  # tampered link
    page = client.get(confirm)
    assert page.status_code == 200 and "Confirmed" in page.get_data(as_text=True)

    first = upload(client, uploader, with_lead("2.1", lot="AFTER-1"))
    second = upload(client, uploader, with_lead("3.5", lot="AFTER-2"))
    digest = smtp.wait(2)[1]
    settled(mail_app)  # both deliveries recorded as sent
    assert len(smtp.messages) == 2, "two failures within the window make one mail"
    plain, html = text_and_html(digest)
    assert "Lead 2.1 µg/g is over" in plain and "limit of 1.2 µg/g" in plain
    assert "Lead 3.5 µg/g is over" in plain and "AFTER-1" in plain and "AFTER-2" in plain
    for body in (plain, html):
        assert f"{BASE}/batches/{first['batch']['id']}" in body
        assert f"{BASE}/batches/{second['batch']['id']}" in body
    assert "BEFORE-1" not in plain
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(.+)>", digest["List-Unsubscribe"]).group(1)
    assert unsubscribe[len(BASE) :] == link(plain, "/alerts/unsubscribe/")

    path = unsubscribe[len(BASE) :]
    assert client.get(path).status_code == 200  # a page with a button: nothing changes
    again = upload(client, uploader, with_lead("4.0", lot="AFTER-3"))
    smtp.wait(3)
    assert "AFTER-3" in text_and_html(smtp.messages[2])[0] and again["batch"]
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    events = settled(mail_app)
    upload(client, uploader, with_lead("5.0", lot="AFTER-4"))
    assert settled(mail_app) > events, "the failing upload wrote its event"
    assert len(smtp.messages) == 3, "nothing after the one-click unsubscribe"


def test_signups_per_address_are_rate_limited(mail_app, smtp) -> None:
    client = mail_app.test_client()
    for _ in range(3):
        assert (
            client.post(
                "/api/v1/subscriptions", json={"channel": "email", "email": "flood@example.org"}
            ).status_code
            == 201
        )
    resp = client.post(
        "/api/v1/subscriptions", json={"channel": "email", "email": "flood@example.org"}
    )
    assert resp.status_code == 429 and resp.headers["Retry-After"]
    assert resp.mimetype == "application/problem+json"
    smtp.wait(3)
    other = client.post(
        "/api/v1/subscriptions", json={"channel": "email", "email": "calm@example.org"}
    )
    assert other.status_code == 201


@pytest.mark.parametrize("address", ["not-an-address", "a@", "@example.org", "a b@example.org"])
def test_bad_address_is_a_422_naming_the_field(make_app, address) -> None:
    app = make_app()
    resp = app.test_client().post(
        "/api/v1/subscriptions", json={"channel": "email", "email": address}
    )
    assert resp.status_code == 422 and "email" in resp.get_json()["errors"]


def test_token_email_is_active_and_owned(make_app) -> None:
    app = make_app()
    load_profiles(app)
    client = app.test_client()
    owner = bearer(app, "subscriber")
    resp = client.post(
        "/api/v1/subscriptions",
        headers=owner,
        json={
            "channel": "email",
            "email": "team@example.org",
            "filters": {"analyte": "lead", "profile": "ahpa"},
        },
    )
    assert resp.status_code == 201 and resp.get_json()["status"] == "active"
    assert [s["email"] for s in client.get("/api/v1/subscriptions", headers=owner).get_json()] == [
        "team@example.org"
    ]
    bad = client.post(
        "/api/v1/subscriptions",
        headers=owner,
        json={
            "channel": "email",
            "email": "x@example.org",
            "filters": {"analyte": "plutonium", "category": "nope"},
        },
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]["filters"]) == {"analyte", "category"}
    unknown = client.post(
        "/api/v1/subscriptions",
        headers=owner,
        json={"channel": "email", "email": "x@example.org", "filters": {"colour": "red"}},
    )
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]["filters"]


def test_smtp_down_then_up_sends_one_digest(make_app, smtp) -> None:
    import sqlalchemy as sa

    from registry.db import utcnow
    from registry.extensions import db
    from registry.models import Delivery
    from registry.tasks import alerts
    from tests.alerts.sinks import free_port

    down = make_app(**FAST, SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    load_profiles(down)
    client = down.test_client()
    client.post(
        "/api/v1/subscriptions",
        headers=bearer(down, "subscriber"),
        json={"channel": "email", "email": "ops@example.org"},
    )
    upload(client, bearer(down), with_lead("2.1", lot="SMTP-1"))
    upload(client, bearer(down), with_lead("2.2", lot="SMTP-2"))
    with down.app_context():
        assert alerts.dispatch().deliveries == 2
        db.session.execute(sa.update(Delivery).values(next_try_at=utcnow()))
        db.session.commit()
        assert alerts.deliver_due() == 2  # both in one digest attempt, which fails
        rows = db.session.scalars(sa.select(Delivery)).all()
        assert {r.status.value for r in rows} == {"pending"} and rows[0].last_error
        assert len({r.next_try_at for r in rows}) == 1  # retried together
        db.session.execute(sa.update(Delivery).values(next_try_at=utcnow()))
        db.session.commit()
    up = make_app(**FAST, SMTP_URL=smtp.url)
    with up.app_context():
        assert alerts.deliver_due() == 2
        assert {r.status.value for r in db.session.scalars(sa.select(Delivery))} == {"delivered"}
    [mail] = smtp.messages
    plain = mail.get_body(("plain",)).get_content()
    assert "SMTP-1" in plain and "SMTP-2" in plain


def test_confirmation_mail_is_stored_and_retried_until_the_server_takes_it(make_app, smtp) -> None:
    """The double opt-in mail is a delivery written with the sign-up: with the SMTP
    server down it waits and is retried, then sent once the server is up."""
    import sqlalchemy as sa

    from registry.db import utcnow
    from registry.extensions import db
    from registry.models import Delivery
    from registry.tasks import alerts
    from tests.alerts.sinks import free_port

    down = make_app(**FAST, SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    load_profiles(down)
    resp = down.test_client().post(
        "/api/v1/subscriptions", json={"channel": "email", "email": "late@example.org"}
    )
    assert resp.status_code == 201 and resp.get_json()["status"] == "pending_confirmation"
    with down.app_context():
        [row] = db.session.scalars(sa.select(Delivery)).all()
        assert row.kind.value == "confirmation" and row.event_id is None
        assert row.status.value == "pending"
        assert alerts.deliver_due() == 1  # the server is down: the attempt fails
        row = db.session.scalars(sa.select(Delivery)).one()
        assert row.status.value == "pending" and row.attempts == 1 and row.last_error
        assert row.next_try_at > utcnow()
        db.session.execute(sa.update(Delivery).values(next_try_at=utcnow()))
        db.session.commit()
    up = make_app(**FAST, SMTP_URL=smtp.url)
    with up.app_context():
        assert alerts.deliver_due() == 1
        row = db.session.scalars(sa.select(Delivery)).one()
        assert row.status.value == "delivered" and row.attempts == 2
    [mail] = smtp.messages
    assert mail["To"] == "late@example.org"
    confirm = link(mail.get_body(("plain",)).get_content(), "/alerts/confirm/")
    page = up.test_client().get(confirm, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Confirmed" in page.get_data(as_text=True)


def test_unconfirmed_signups_are_pruned_and_the_rate_limit_stays(quiet_app) -> None:
    import sqlalchemy as sa

    from registry.db import utcnow
    from registry.extensions import db
    from registry.models import Delivery, Signup, Subscription
    from registry.services import subscriptions
    from registry.tasks import alerts

    client = quiet_app.test_client()
    for address in (
        "stale@example.org",
        "fresh@example.org",
        "fresh@example.org",
        "fresh@example.org",
    ):
        assert (
            client.post(
                "/api/v1/subscriptions", json={"channel": "email", "email": address}
            ).status_code
            == 201
        )
    kept = client.post(
        "/api/v1/subscriptions",
        headers=bearer(quiet_app, "subscriber"),
        json={"channel": "email", "email": "owned@example.org"},
    )
    assert kept.status_code == 201
    long_ago = utcnow() - subscriptions.CONFIRM_MAX_AGE - subscriptions.SIGNUP_WINDOW
    with quiet_app.app_context():
        stale = sa.select(Subscription.id).where(Subscription.email == "stale@example.org")
        db.session.execute(
            sa.update(Subscription).where(Subscription.id.in_(stale)).values(created_at=long_ago)
        )
        db.session.execute(
            sa.update(Signup).where(Signup.email == "stale@example.org").values(at=long_ago)
        )
        db.session.execute(
            sa.update(Subscription)
            .where(Subscription.email == "owned@example.org")
            .values(created_at=long_ago)
        )
        db.session.commit()
        assert alerts.prune() == (1, 1)
        left = db.session.scalars(sa.select(Subscription.email).order_by(Subscription.id)).all()
        assert left == ["fresh@example.org"] * 3 + ["owned@example.org"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 3
        assert alerts.prune() == (0, 0)
    # The sign-ups within the hour still count: the address stays limited.
    again = client.post(
        "/api/v1/subscriptions", json={"channel": "email", "email": "fresh@example.org"}
    )
    assert again.status_code == 429
    assert (
        client.post(
            "/api/v1/subscriptions", json={"channel": "email", "email": "stale@example.org"}
        ).status_code
        == 201
    )


def test_prune_command(quiet_app) -> None:
    runner = quiet_app.test_cli_runner()
    result = runner.invoke(args=["alerts", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 unconfirmed subscription(s)" in result.output
