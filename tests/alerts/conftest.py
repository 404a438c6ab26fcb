"""Fixtures for alert tests: apps with the embedded runner, sinks, failing uploads."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from registry import unit_of_work
from registry.extensions import db
from registry.services import profiles
from tests.alerts.sinks import SmtpSink, WebhookSink
from tests.conftest import confirm_utah, make_token
from tests.registry.coa import DEFAULT_RESULTS, make_coa

REDIS_ENV, AMQP_ENV = "REGISTRY_TEST_REDIS_URL", "REGISTRY_TEST_AMQP_URL"

# Tests shorten the retry schedule and lease; the mechanism is the same.
FAST = {
    "ALERT_RETRY_DELAYS_S": "0.2,0.2,0.2,0.2,0.2,0.2,0.2",
    "ALERT_JITTER": 0.0,
    "ALERT_POLL_S": 0.1,
    "ALERT_DIGEST_S": 0.5,
    "WEBHOOK_TIMEOUT_S": 3,
    "ALERT_LEASE_S": 4,
    "BASE_URL": "https://registry.example.org",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
}


def with_lead(value: str, lot: str = "RB-2024-0117") -> bytes:
    results = tuple(
        (a, value if a.startswith("Lead") else v, u, q) for a, v, u, q in DEFAULT_RESULTS
    )
    return make_coa(results=results, lot=lot, salt=f"{lot}-{value}")


def upload(client: Any, headers: dict[str, str], pdf: bytes) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/certificates", headers=headers, data={"file": (io.BytesIO(pdf), "coa.pdf")}
    )
    assert resp.status_code in (200, 201), resp.get_json()
    body = resp.get_json()
    assert body["batch"], "the COA must name a vendor and a lot"
    return body


def load_profiles(app: Flask) -> None:
    """The shipped profiles, with Utah's rules confirmed (see ``tests.conftest.confirm_utah``)."""
    with app.app_context():
        unit_of_work.commit(db.session, lambda: profiles.load_shipped(db.session))
    confirm_utah(app)


def settled(app: Flask, timeout: float = 60.0) -> int:
    """Wait until the alert runner has nothing left to do: every outbox event fanned out
    and no delivery waiting (``pending``) or under way (``sending``).

    A mail is in the SMTP sink before its delivery is recorded ``delivered``, so once
    this returns, whatever the runner was ever going to send for the events so far has
    been sent: a count taken now is final, with no sleep that guesses how long to wait.
    Returns how many outbox events there are (all fanned out).
    """
    import sqlalchemy as sa

    from registry.models import Delivery, DeliveryStatus, OutboxEvent

    busy = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            try:
                events = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent))
                undispatched = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(OutboxEvent)
                    .where(OutboxEvent.dispatched_at.is_(None))
                )
                waiting = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Delivery)
                    .where(Delivery.status.in_(busy))
                )
            finally:
                db.session.remove()
        if not undispatched and not waiting:
            return int(events or 0)
        if time.monotonic() > deadline:
            raise AssertionError(f"{undispatched} event(s) not fanned out, {waiting} waiting")
        time.sleep(0.05)


def bearer(app: Flask, role: str = "uploader") -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(app, role)}"}


@pytest.fixture
def alert_app(make_app: Any) -> Iterator[Flask]:
    """An app whose embedded runner delivers (stopped after the test)."""
    app = make_app(**FAST, ALERT_WORKER="auto")
    load_profiles(app)
    yield app
    runner = app.extensions.get("registry.alerts")
    if runner is not None and hasattr(runner, "stop"):
        runner.stop()


@pytest.fixture
def quiet_app(make_app: Any) -> Flask:
    """An app that runs no alert worker: tests drive the tasks themselves."""
    app = make_app(**FAST)
    load_profiles(app)
    return app


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    found = WebhookSink()
    yield found
    found.close()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    found = SmtpSink()
    yield found
    found.close()


def service_url(env: str, how: str) -> str:
    url = os.environ.get(env)
    if not url:
        if os.environ.get("REGISTRY_TEST_REQUIRE_SERVICES"):
            pytest.fail(f"{env} is not set but REGISTRY_TEST_REQUIRE_SERVICES is")
        pytest.skip(f"{how} tests skipped: set {env} to run them; CI does.")
    return url
