"""Celery workers (``flask --app wsgi worker``) against the real Redis and RabbitMQ:
delivery, two workers without duplicates, a worker killed with SIGKILL mid-delivery,
retries until accepted (same webhook-id), 410 disables, loopback refused at delivery.

Needs ``REGISTRY_TEST_REDIS_URL`` (redis://127.0.0.1:6379/15) and/or
``REGISTRY_TEST_AMQP_URL`` (amqp://guest:guest@127.0.0.1:5672//); each test uses a queue
of its own, so runs sharing a broker do not take each other's tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.models import Delivery
from tests.alerts.conftest import (
    AMQP_ENV,
    FAST,
    REDIS_ENV,
    bearer,
    load_profiles,
    service_url,
    settled,
    upload,
    with_lead,
)
from tests.alerts.test_webhooks import subscribe, wait_until

REPO = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
WORKER_FAST = {**FAST, "ALERT_SWEEP_S": 1}

pytestmark = pytest.mark.slow


@pytest.fixture(
    params=[
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("rabbitmq", marks=pytest.mark.rabbitmq),
    ]
)
def broker(request: pytest.FixtureRequest) -> str:
    if request.param == "redis":
        return service_url(REDIS_ENV, "Redis (redis://127.0.0.1:6379/15)")
    return service_url(AMQP_ENV, "RabbitMQ (amqp://guest:guest@127.0.0.1:5672//)")


class Workers:
    """``flask --app wsgi worker`` processes on the test database and a private queue."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.env = {
            **os.environ,
            **{
                f"REGISTRY_{k}": str(v)
                for k, v in config.items()
                if isinstance(v, str | int | float) and k != "TESTING"
            },
        }
        self.env["REGISTRY_RATE_LIMITS"] = ""
        self.env["REGISTRY_ALERT_WORKER"] = "auto"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        # A node name of its own: RabbitMQ lets one connection at a time hold a node's
        # exclusive pidbox queue, so a second ``celery@<host>`` (another worker of this
        # test, or of a test running beside it) would die at start-up.
        node = f"test-{uuid.uuid4().hex[:8]}@%h"
        proc = subprocess.Popen(
            [FLASK, "--app", "wsgi", "worker", "-c", "4", "-n", node],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@pytest.fixture
def celery_app(make_app: Any, broker: str) -> Iterator[tuple[Any, Workers]]:
    queue = f"registry-test-{uuid.uuid4().hex[:8]}"
    config = {**WORKER_FAST, "BROKER_URL": broker, "CELERY_QUEUE": queue}
    app = make_app(**config, ALERT_WORKER="auto")
    load_profiles(app)
    workers = Workers(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "DATA_DIR": app.config["DATA_DIR"],
            "SECRET_KEY": "test",
            **config,
        }
    )
    yield app, workers
    workers.stop()


def delivery_rows(app: Any) -> list[Delivery]:
    with app.app_context():
        try:
            return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))
        finally:
            db.session.remove()


def test_worker_delivers_signed(celery_app, sink) -> None:
    app, workers = celery_app
    assert "celery" in app.extensions
    workers.start()
    client = app.test_client()
    sub = subscribe(client, bearer(app, "subscriber"), sink.url)
    sink.secret = sub["secret"]
    upload(client, bearer(app), with_lead("2.1"))
    [got] = sink.wait(1, timeout=60)
    assert got.verified["type"] == "batch.failed"
    rows = wait_until(lambda: [d for d in delivery_rows(app) if d.status.value == "delivered"], 30)
    assert rows[0].webhook_id == got.headers["webhook-id"] and rows[0].attempts == 1


def test_two_workers_send_no_duplicate(celery_app, sink) -> None:
    app, workers = celery_app
    workers.start()
    workers.start()
    client = app.test_client()
    owner = bearer(app, "subscriber")
    for _ in range(40):
        subscribe(client, owner, sink.url)
    upload(client, bearer(app), with_lead("2.1", lot="DUP-1"))
    upload(client, bearer(app), with_lead("2.5", lot="DUP-2"))
    sink.wait(80, timeout=90)
    settled(app)  # every delivery's outcome recorded (the POSTs land before the records)
    time.sleep(3)  # room for any duplicate to arrive
    ids = [r.headers["webhook-id"] for r in sink.received]
    assert len(ids) == 80 and len(set(ids)) == 80
    rows = delivery_rows(app)
    assert all(d.status.value == "delivered" and d.attempts == 1 for d in rows), [
        (d.id, d.status.value, d.attempts, d.last_error)
        for d in rows
        if d.attempts != 1 or d.status.value != "delivered"
    ]


def test_worker_killed_mid_delivery_delivers_after_restart(celery_app, sink) -> None:
    import threading

    app, workers = celery_app
    sink.hold = threading.Event()
    sink.hold.set()  # the endpoint takes its time: the worker is mid-delivery when killed
    first = workers.start()
    client = app.test_client()
    subscribe(client, bearer(app, "subscriber"), sink.url)
    upload(client, bearer(app), with_lead("2.1"))
    sink.wait(1, timeout=60)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    [row] = delivery_rows(app)
    assert row.status.value == "sending" and row.delivered_at is None
    sink.hold.clear()
    workers.start()
    [row] = wait_until(lambda: [d for d in delivery_rows(app) if d.status.value == "delivered"], 60)
    posts = sink.received
    assert len(posts) == 2 and posts[0].headers["webhook-id"] == posts[1].headers["webhook-id"]
    assert row.attempts == 2


def test_worker_retries_until_accepted_and_a_410_disables(celery_app, sink) -> None:
    """On the workers: an endpoint that refuses three times then accepts gets the
    delivery once more, with the same webhook-id; one that answers 410 is disabled."""
    from tests.alerts.sinks import WebhookSink

    app, workers = celery_app
    workers.start()
    client = app.test_client()
    owner = bearer(app, "subscriber")
    sink.respond = lambda n: 503 if n <= 3 else 204
    sink.secret = subscribe(client, owner, sink.url)["secret"]
    gone = WebhookSink(respond=lambda n: 410)
    try:
        dead = subscribe(client, owner, gone.url)
        upload(client, bearer(app), with_lead("2.1"))
        posts = sink.wait(4, timeout=90)
        assert len({p.headers["webhook-id"] for p in posts}) == 1
        assert all(p.verified is not None for p in posts)
        wait_until(
            lambda: (
                client.get(f"/api/v1/subscriptions/{dead['id']}", headers=owner).get_json()[
                    "status"
                ]
                == "disabled"
            ),
            60,
        )
        settled(app)  # every outcome recorded
        time.sleep(3)  # room for any extra attempt to arrive
        assert len(sink.received) == 4 and len(gone.received) == 1
    finally:
        gone.close()
    rows = {d.subscription_id: d for d in delivery_rows(app)}
    assert rows[dead["id"]].status.value == "failed" and rows[dead["id"]].last_status_code == 410
    kept = next(d for sub_id, d in rows.items() if sub_id != dead["id"])
    assert kept.status.value == "delivered" and kept.attempts == 4


def test_worker_refuses_loopback_without_an_allow_list_entry(make_app, broker, sink) -> None:
    """A subscription made while 127.0.0.1 was allow-listed, delivered by workers whose
    allow-list is empty: refused at delivery, and the sink hears nothing. (Without the
    entry it is refused at creation too.)"""
    queue = f"registry-test-{uuid.uuid4().hex[:8]}"
    config = {**WORKER_FAST, "BROKER_URL": broker, "CELERY_QUEUE": queue}
    app = make_app(**config, ALERT_WORKER="auto")
    load_profiles(app)
    strict = make_app(**{**config, "WEBHOOK_ALLOWED_HOSTS": ""})
    refused = strict.test_client().post(
        "/api/v1/subscriptions",
        headers=bearer(strict, "subscriber"),
        json={"channel": "webhook", "url": sink.url},
    )
    assert refused.status_code == 422 and "url" in refused.get_json()["errors"]
    workers = Workers(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "DATA_DIR": app.config["DATA_DIR"],
            "SECRET_KEY": "test",
            **config,
            "WEBHOOK_ALLOWED_HOSTS": "",
        }
    )
    try:
        client = app.test_client()
        subscribe(client, bearer(app, "subscriber"), sink.url)
        workers.start()
        upload(client, bearer(app), with_lead("2.1"))
        [row] = wait_until(
            lambda: [
                d for d in delivery_rows(app) if d.attempts >= 2 and d.status.value == "pending"
            ],
            60,
        )
        assert "refused" in (row.last_error or "")
        assert row.last_status_code is None and sink.received == []
    finally:
        workers.stop()


def test_rejudge_job_runs_on_a_worker_and_alerts(celery_app, sink) -> None:
    from tests.registry.test_verdicts import strict_lead_profile

    app, workers = celery_app
    workers.start()
    client = app.test_client()
    admin = bearer(app, "admin")
    upload(client, bearer(app), with_lead("0.8", lot="STRICT-1"))

    def job_done(resp: Any) -> dict[str, Any]:
        assert resp.status_code in (200, 201), resp.get_json()
        url = resp.get_json()["job"]["url"]
        return wait_until(
            lambda: (b := client.get(url, headers=admin).get_json())["status"] == "done" and b, 60
        )

    job_done(
        client.put("/api/v1/profiles/advocacy-strict", headers=admin, json=strict_lead_profile(1.0))
    )
    sub = subscribe(
        client, bearer(app, "subscriber"), sink.url, filters={"profile": "advocacy-strict"}
    )
    sink.secret = sub["secret"]
    done = job_done(
        client.put(
            "/api/v1/profiles/advocacy-strict",
            headers=admin,
            json=strict_lead_profile(0.5, version=2),
        )
    )
    assert "counts" in (done.get("result") or {})
    [got] = sink.wait(1, timeout=60)
    assert got.verified["data"]["profile"] == "advocacy-strict"
    assert got.verified["data"]["batch"]["lot"] == "STRICT-1"
