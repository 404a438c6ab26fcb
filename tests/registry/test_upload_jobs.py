"""Uploads store, record ``processing`` and queue the parse (issue #14): the 202 answer,
the same bytes while a parse waits, a bounded pool, jobs a dead process left, one more
try after a time limit, and ``storage gc`` racing an upload in flight."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import unit_of_work
from registry.db import utcnow
from registry.extensions import db
from registry.models import AuditEvent, Certificate, CertificateStatus, Job, JobStatus
from registry.services import certificates, storage_gc
from registry.storage import LocalStorage, get_storage
from registry.tasks import parsing
from tests.registry.coa import make_coa

REPO = Path(__file__).resolve().parents[2]


def post(client, headers, data: bytes, **form: str):
    return client.post(
        "/api/v1/certificates",
        headers=headers,
        data={"file": (io.BytesIO(data), "coa.pdf"), **form},
    )


def poll(client, url: str, within: float = 300) -> dict:
    """The certificate once it is no longer ``processing``."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        body = client.get(url).get_json()
        if body["status"] != "processing":
            return body
        time.sleep(0.1)
    raise AssertionError(f"{url} still processing after {within} s")


def test_upload_answers_202_while_the_parse_waits_then_201_content(make_app, uploader) -> None:
    app = make_app(PARSE_CONCURRENCY=1, UPLOAD_WAIT_S=0.5)
    client = app.test_client()
    headers = uploader  # tokens live in the database every app of the test shares
    pdf = make_coa(salt="later")
    with app.app_context():
        slots = parsing.slots(app)
    with slots.hold():  # every parse slot of this host is busy: the parse must wait
        first = post(client, headers, pdf, vendor="Said Vendor")
        assert first.status_code == 202, first.get_json()
        body = first.get_json()
        assert body["status"] == "processing" and body["results"] == [] and body["batch"] is None
        assert first.headers["Location"].endswith(f"/api/v1/certificates/{body['id']}")
        shown = client.get(first.headers["Location"]).get_json()
        assert shown["status"] == "processing"
        again = post(client, headers, pdf)  # the same bytes, whatever state: the same certificate
        assert again.status_code == 200 and again.get_json()["id"] == body["id"]
        assert client.get(body["pdf_url"]).data == pdf  # the original is kept before the parse
    done = poll(client, first.headers["Location"])
    assert done["status"] == "parsed", done["status_reason"]
    assert done["batch"]["vendor"] == "Said Vendor"  # what the uploader said, applied by the job
    assert done["batch"]["lot"] == "RB-2024-0117" and done["results"]
    with app.app_context():
        actions = sorted(
            db.session.scalars(
                sa.select(AuditEvent.action).where(
                    AuditEvent.object_type == "certificates",
                    AuditEvent.object_id == str(body["id"]),
                )
            )
        )
        assert actions == ["certificate.parse", "certificate.upload"]
        job = db.session.scalar(sa.select(Job).where(Job.kind == "parse"))
        assert job.status is JobStatus.DONE and job.params["certificate_id"] == body["id"]


def test_upload_within_the_wait_answers_201_with_the_reading(client, uploader) -> None:
    resp = post(client, uploader, make_coa(salt="quick"))
    assert resp.status_code == 201 and resp.get_json()["status"] == "parsed"
    assert resp.headers["Location"].endswith(f"/api/v1/certificates/{resp.get_json()['id']}")


def _ingest_env(app) -> dict[str, str]:
    cfg = app.config
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(
        {
            "REGISTRY_DATABASE_URL": cfg["DATABASE_URL"],
            "REGISTRY_DATA_DIR": cfg["DATA_DIR"],
            "REGISTRY_SECRET_KEY": "test",
            "REGISTRY_PARSE_CONCURRENCY": "1",
            "REGISTRY_RATE_LIMITS": "",
            "REGISTRY_ALERT_WORKER": "off",
        }
    )
    return env


def test_a_parse_a_killed_process_left_is_swept_and_finished(make_app, tmp_path: Path) -> None:
    """``flask ingest`` killed with SIGKILL mid-parse leaves its certificate ``processing``
    with a running job; once that job is stale, the sweeper runs it again to the end."""
    app = make_app(PARSE_CONCURRENCY=1)
    pdf = tmp_path / "coa.pdf"
    pdf.write_bytes(make_coa(salt="killed"))
    with app.app_context():
        slots = parsing.slots(app)
    with slots.hold():  # the ingest's parse waits for the host's only slot
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "ingest", str(pdf)],
            cwd=REPO,
            env=_ingest_env(app),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            cert = None
            for _ in range(600):
                with app.app_context():
                    cert = db.session.scalar(sa.select(Certificate))
                    if cert is not None:
                        break
                time.sleep(0.1)
            assert cert is not None and cert.status is CertificateStatus.PROCESSING
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.kind == "parse"))
        assert job.status is JobStatus.RUNNING
        assert parsing.sweep() == 0  # its runner may still be alive: not taken yet
        # ... until it has not reported for longer than a runner may take
        old = utcnow() - parsing.stale_after(app) - timedelta(seconds=1)
        unit_of_work.commit(
            db.session,
            lambda: db.session.execute(
                sa.update(Job).where(Job.id == job.id).values(heartbeat_at=old)
            ),
        )
        assert parsing.sweep() == 1
        app.extensions["registry.parse"].pool.shutdown(wait=True)
        db.session.rollback()
        cert = db.session.scalar(sa.select(Certificate))
        assert cert.status is CertificateStatus.PARSED and cert.results
        assert db.session.get(Job, job.id).status is JobStatus.DONE


def test_a_time_limit_is_tried_once_more_then_unreadable(make_app, uploader) -> None:
    app = make_app(PARSE_TIMEOUT_S=0.001)  # no parse ends in time
    client = app.test_client()
    headers = uploader
    resp = post(client, headers, make_coa(salt="slow"))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "unreadable" and body["status_reason"].startswith("timeout:")
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.kind == "parse"))
        assert job.params["attempt"] == 2 and job.result["first_error"].startswith("timeout:")
        parse = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "certificate.parse")
        )
        assert parse.details["attempt"] == 2


def test_parses_never_exceed_the_host_limit(make_app, tmp_path: Path) -> None:
    """Slots are held across processes: a second holder waits until the first lets go."""
    app = make_app(PARSE_CONCURRENCY=1)
    with app.app_context():
        slots = parsing.slots(app)
    script = (
        "import sys, time; from registry.tasks.parsing import Slots\n"
        "with Slots(sys.argv[1], 1).hold():\n    print('in', flush=True)\n"
    )
    with slots.hold():
        other = subprocess.Popen(
            [sys.executable, "-c", script, str(slots.directory)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        assert other.poll() is None  # still waiting for the slot
    out, _ = other.communicate(timeout=60)
    assert out.strip() == "in"


class RacingStorage(LocalStorage):
    """Local storage where, just as gc is about to delete an old orphan, an upload of the
    same bytes arrives (the interleaving of the race, made certain)."""

    def __init__(self, root: Path, upload) -> None:
        super().__init__(root)
        self.upload = upload

    def delete_if_older(self, key, cutoff):  # type: ignore[no-untyped-def]
        self.upload()
        return super().delete_if_older(key, cutoff)


def test_gc_never_removes_the_original_of_an_upload_in_flight(make_app, uploader) -> None:
    app = make_app(PARSE_CONCURRENCY=1, UPLOAD_WAIT_S=0)
    client = app.test_client()
    headers = uploader
    pdf = make_coa(salt="orphan")
    with app.app_context():
        store = get_storage()
        key = store.put(pdf)  # an old orphan: an upload whose row never committed
        old = time.time() - 7200
        os.utime(store._path(key), (old, old))  # type: ignore[attr-defined]
        answers = []
        racing = RacingStorage(
            Path(app.config["DATA_DIR"]), lambda: answers.append(post(client, headers, pdf))
        )
        with parsing.slots(app).hold():  # its parse has not run yet: it is in flight
            removed = storage_gc.collect(
                db.session, racing, grace=timedelta(hours=1), dry_run=False
            )
            assert removed == [] and store.exists(key)
            assert answers[0].status_code == 202
            # a processing certificate's original is never a gc candidate
            os.utime(store._path(key), (old, old))  # type: ignore[attr-defined]
            db.session.rollback()
            assert (
                storage_gc.collect(db.session, store, grace=timedelta(hours=1), dry_run=False) == []
            )
    done = poll(client, answers[0].headers["Location"])
    assert done["status"] == "parsed"
    assert client.get(done["pdf_url"]).data == pdf


def test_reupload_restores_a_lost_original(make_app, uploader) -> None:
    """Storing comes first: an upload of bytes whose original went missing puts it back."""
    app = make_app()
    client = app.test_client()
    headers = uploader
    pdf = make_coa(salt="lost")
    first = post(client, headers, pdf).get_json()
    with app.app_context():
        get_storage().delete(certificates.Upload(data=pdf).sha256)
    assert client.get(first["pdf_url"]).status_code == 404
    assert post(client, headers, pdf).status_code == 200
    assert client.get(first["pdf_url"]).data == pdf


@pytest.mark.redis
@pytest.mark.slow
def test_with_a_broker_the_parse_runs_on_a_celery_worker(make_app, uploader) -> None:
    """With REGISTRY_BROKER_URL the web process only queues: an upload made before any
    worker runs answers 202, and a ``flask --app wsgi worker`` started later reads it."""
    from tests.alerts.conftest import REDIS_ENV, service_url
    from tests.alerts.test_workers import Workers

    broker = service_url(REDIS_ENV, "Redis (redis://127.0.0.1:6379/15)")
    config = {
        "BROKER_URL": broker,
        "CELERY_QUEUE": f"registry-test-{uuid.uuid4().hex[:8]}",
        "UPLOAD_WAIT_S": 0.5,
    }
    app = make_app(**config, ALERT_WORKER="auto")
    assert "registry.parse" not in app.extensions  # no embedded pool
    client = app.test_client()
    early = post(client, uploader, make_coa(salt="celery"))
    assert early.status_code == 202 and early.get_json()["status"] == "processing"
    workers = Workers(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "DATA_DIR": app.config["DATA_DIR"],
            "SECRET_KEY": "test",
            **config,
        }
    )
    try:
        workers.start()
        done = poll(client, early.headers["Location"], within=120)
        assert done["status"] == "parsed" and done["batch"]["lot"] == "RB-2024-0117"
        app.config["UPLOAD_WAIT_S"] = 120
        later = post(client, uploader, make_coa(salt="celery-2"))
        assert later.status_code == 201 and later.get_json()["status"] == "parsed"
    finally:
        workers.stop()
