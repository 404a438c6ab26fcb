"""Parse jobs: how an upload is taken in and read, wherever the parse runs.

An upload is stored and recorded first (:func:`take_in`: the original durable, then a
``processing`` certificate and its parse job in one transaction); the parse runs as a
job afterwards (:func:`run`), in one of two places:

* **Embedded** (no ``REGISTRY_BROKER_URL``): a pool of ``PARSE_CONCURRENCY`` threads in
  the web process, each waiting on a child process (``parsers.parse_isolated``).
* **Celery** (a broker set): the task ``registry.parse.run`` in ``flask --app wsgi
  worker`` processes, sent after the commit that queued the job.

A request waits up to ``UPLOAD_WAIT_S`` for its job (:func:`upload`) and answers with
whatever state the certificate is in then. Whatever the runner, at most
``PARSE_CONCURRENCY`` parses run at once on one host (:class:`Slots`: lock files that the
kernel releases when their process dies), so memory is bounded by concurrency x
``PARSE_MEMORY_MB``. A job whose runner died (a killed web worker, a lost enqueue) is
picked up again by a sweeper (:func:`sweep`: a thread of the web process, or of each
Celery worker). A parse that ran out of time or memory is queued once more before the
certificate is called unreadable. ``flask ingest`` takes files in through the same
functions and parses them itself (:func:`ingest_files`), and ``flask certificates
reparse`` queues jobs that read stored originals again (:func:`queue_reparse`).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

import parsers
from registry import unit_of_work
from registry.db import not_migrated, utcnow
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import Certificate, CertificateStatus, Job, JobStatus
from registry.services import certificates, ingest, jobs, tokens
from registry.storage import Storage, get_storage

log = logging.getLogger(__name__)

KIND = certificates.PARSE_JOB
ACTOR = "parser"
AHEAD = 6  # ``flask ingest``: files in flight per parsing thread
WAIT_POLL_S = 0.2  # a waiting upload looks at its certificate this often
SessionLike = Session | scoped_session[Session]


# --------------------------------------------------------------------------- settings


def concurrency(app: Flask) -> int:
    return max(1, int(app.config.get("PARSE_CONCURRENCY") or os.cpu_count() or 1))


def stale_after(app: Flask) -> timedelta:
    """A running parse job whose runner has not finished it by then is taken over: well
    past two attempts at the wall-clock limit."""
    return max(jobs.STALE_AFTER, timedelta(seconds=3 * float(app.config["PARSE_TIMEOUT_S"]) + 30))


def limits(app: Flask) -> parsers.Limits:
    return certificates.limits_from_config(app.config)


def max_bytes(app: Flask) -> int:
    return int(app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


class Slots:
    """At most ``n`` parses at once on this host, across all its processes.

    Each parse holds an exclusive ``flock`` on one of ``n`` lock files; the kernel
    releases a lock when its process dies, so a killed worker never keeps a slot.
    """

    def __init__(self, directory: str | os.PathLike[str], n: int) -> None:
        self.directory = Path(directory)
        self.n = max(1, n)

    @contextlib.contextmanager
    def hold(self, poll_s: float = 0.05) -> Iterator[int]:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            for i in range(self.n):
                fd = os.open(self.directory / f"parse-slot-{i}", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    yield i
                    return
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
            time.sleep(poll_s)


def slots(app: Flask) -> Slots:
    return Slots(Path(app.config["DATA_DIR"]) / "run", concurrency(app))


# --------------------------------------------------------------------------- taking in


def take_in(
    session: SessionLike,
    storage: Storage,
    upload: certificates.Upload,
    *,
    max_size: int,
    uploader_id: int | None,
    actor: str,
    request_id: str | None = None,
    claimed: bool = False,
) -> certificates.Accepted:
    """Check and store the file, then record its ``processing`` certificate and parse job
    (one unit of work). Raises the 413/415 :class:`RegistryError` for a refused file."""
    certificates.store(upload, storage, max_size)

    def work() -> certificates.Accepted:
        if uploader_id is not None:
            tokens.touch(session, uploader_id)  # type: ignore[arg-type]
        return certificates.accept(
            session,  # type: ignore[arg-type]
            upload,
            uploader_id=uploader_id,
            actor=actor,
            request_id=request_id,
            claimed=claimed,
        )

    return unit_of_work.commit(session, work)


def upload(
    upload: certificates.Upload,
    *,
    uploader_id: int | None,
    actor: str,
    request_id: str | None = None,
) -> tuple[Certificate, bool]:
    """Take an upload in, queue its parse, and wait up to ``UPLOAD_WAIT_S`` for it: the
    certificate as it is then (``processing`` when the parse is not over) and whether
    it is new. The same bytes give the same certificate, whatever its state."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    accepted = take_in(
        db.session,
        get_storage(),
        upload,
        max_size=max_bytes(app),
        uploader_id=uploader_id,
        actor=actor,
        request_id=request_id,
    )
    cert = accepted.certificate
    future = submit(app, accepted.job_id) if accepted.job_id is not None else None
    if cert.status is CertificateStatus.PROCESSING:
        cert_id = cert.id
        cert = wait(cert_id, future, float(app.config["UPLOAD_WAIT_S"])) or cert
    return cert, accepted.created


def wait(certificate_id: int, future: Future[Any] | None, seconds: float) -> Certificate | None:
    """The certificate once its parse is over, or as it is after ``seconds``. No
    database connection is held while waiting (many uploads may wait at once)."""
    deadline = time.monotonic() + max(0.0, seconds)
    db.session.rollback()
    if future is not None:
        with contextlib.suppress(FutureTimeout, Exception):  # a failed job says so in its row
            future.result(timeout=max(0.0, deadline - time.monotonic()))
    while True:
        status = db.session.scalar(
            sa.select(Certificate.status).where(Certificate.id == certificate_id)
        )
        db.session.rollback()
        remaining = deadline - time.monotonic()
        if status is not CertificateStatus.PROCESSING or remaining <= 0:
            return db.session.get(Certificate, certificate_id, populate_existing=True)
        time.sleep(min(WAIT_POLL_S, remaining))


# --------------------------------------------------------------------------- running


def run(job_id: int) -> JobStatus | None:
    """Claim a parse job and run it (inside an app context): wait for a host slot, read
    the original, parse it, record what it read. The job's status after, or None when
    another runner has it (``QUEUED``: put back for its second try; the caller submits
    it again)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session
    with slots(app).hold():
        if not unit_of_work.commit(
            session, lambda: jobs.claim(session, job_id, stale_after=stale_after(app))
        ):
            return None
        return run_claimed(session, get_storage(), job_id, limits(app), retry_transient=True)


def run_claimed(
    session: SessionLike,
    storage: Storage,
    job_id: int,
    limits: parsers.Limits,
    *,
    retry_transient: bool,
    parsed: certificates.Parsed | None = None,
) -> JobStatus:
    """Parse (unless ``parsed`` is given) and record a job this runner holds."""
    try:
        if parsed is None:
            parsed = parse_job(session, storage, job_id, limits)
        return unit_of_work.commit(
            session, lambda: _complete(session, job_id, parsed, retry_transient)
        )
    except Exception as exc:
        if isinstance(exc, SQLAlchemyError) and not_migrated(exc):
            raise
        log.exception("parse job %s failed", job_id)
        reason = (
            f"{type(exc).__name__}: {str(getattr(exc, 'orig', None) or exc).splitlines()[0][:300]}"
        )
        unit_of_work.commit(session, lambda: _give_up(session, job_id, reason))
        return JobStatus.FAILED


def parse_job(
    session: SessionLike, storage: Storage, job_id: int, limits: parsers.Limits
) -> certificates.Parsed:
    """Read a job's original from storage and parse it, with no transaction open."""
    job = session.get(Job, job_id)
    cert = session.get(Certificate, int(job.params["certificate_id"])) if job else None
    sha = cert.sha256 if cert is not None else None
    session.rollback()
    if sha is None:
        return certificates.Parsed(error=parsers.ParseError("the certificate is gone"))
    try:
        data = storage.open(sha)
    except KeyError:
        return certificates.Parsed(
            error=parsers.ParseError("the original file is missing from storage")
        )
    return certificates.parse_original(data, limits)


def _complete(
    session: SessionLike, job_id: int, parsed: certificates.Parsed, retry_transient: bool
) -> JobStatus:
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.status is not JobStatus.RUNNING:
        return job.status if job is not None else JobStatus.FAILED  # another runner finished it
    certificates.complete(
        session,  # type: ignore[arg-type]
        job,
        parsed,
        actor=ACTOR,
        retry_transient=retry_transient,
    )
    return job.status


def _give_up(session: SessionLike, job_id: int, reason: str) -> None:
    """The job failed for a reason other than its file: say so, on the certificate too
    (never left ``processing`` for ever)."""
    jobs.fail(session, job_id, reason)  # type: ignore[arg-type]
    job = session.get(Job, job_id)
    cert = session.get(Certificate, int(job.params["certificate_id"])) if job else None
    if cert is not None and cert.status is CertificateStatus.PROCESSING:
        cert.status = CertificateStatus.UNREADABLE
        cert.status_reason = f"could not be recorded: {reason}"[:2000]


def run_quietly(job_id: int) -> None:
    """The Celery task (the task wrapper gives the app context)."""
    try:
        if run(job_id) is JobStatus.QUEUED:
            submit(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    except Exception:
        log.exception("parse job %s failed", job_id)


# --------------------------------------------------------------------------- where jobs run


class EmbeddedParsePool:
    """The web process's bounded pool of parse threads, and its sweeper."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(
            max_workers=concurrency(app), thread_name_prefix="registry-parse"
        )
        self._inflight: set[int] = set()
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    def submit(self, job_id: int) -> Future[Any] | None:
        with self._lock:
            if job_id in self._inflight:
                return None
            self._inflight.add(job_id)
        return self.pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> JobStatus | None:
        status = None
        with self.app.app_context():
            try:
                status = run(job_id)
            except Exception:
                log.exception("parse job %s failed", job_id)
            finally:
                with self._lock:
                    self._inflight.discard(job_id)
                db.session.remove()
        if status is JobStatus.QUEUED:  # its second try, behind what waits already
            self.submit(job_id)
        return status

    def start_sweeper(self) -> None:
        with self._lock:
            if self._sweeper is not None and self._sweeper.is_alive():
                return
            self._sweeper = threading.Thread(
                target=self._sweep_forever, name="registry-parse-sweeper", daemon=True
            )
            self._sweeper.start()

    def _sweep_forever(self) -> None:
        every = float(self.app.config["PARSE_SWEEP_S"])
        while True:  # at start too: a restarted server picks up what its death left
            with self.app.app_context():
                try:
                    sweep()
                except Exception:
                    log.exception("parse sweep failed")
                finally:
                    db.session.remove()
            time.sleep(every)


def submit(app: Flask, job_id: int) -> Future[Any] | None:
    """Run a parse job soon (call after the commit that queued it): as a Celery task with
    a broker, else on this process's pool. A lost enqueue loses nothing: the sweeper
    finds the job."""
    celery = app.extensions.get("celery")
    if celery is not None:
        try:
            celery.send_task("registry.parse.run", args=[job_id])
        except Exception:
            log.exception("could not enqueue parse job %s", job_id)
        return None
    embedded: EmbeddedParsePool = app.extensions["registry.parse"]
    return embedded.submit(job_id)


def sweep() -> int:
    """Give a runner to every parse job a dead process left: queued longer than a sweep
    period, or running past :func:`stale_after`. How many were submitted."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    every = timedelta(seconds=float(app.config["PARSE_SWEEP_S"]))
    ids = jobs.claimable(
        db.session, kind=KIND, stale_after=stale_after(app), queued_before=utcnow() - every
    )
    db.session.rollback()
    for job_id in ids:
        submit(app, job_id)
    if ids:
        log.info("parse sweep: %d job(s) picked up again", len(ids))
    return len(ids)


def init_app(app: Flask) -> None:
    """The embedded pool (its sweeper starts with the first request) unless Celery runs
    the parses."""
    if app.extensions.get("celery") is not None:
        return
    embedded = EmbeddedParsePool(app)
    app.extensions["registry.parse"] = embedded
    app.before_request(embedded.start_sweeper)


# --------------------------------------------------------------------------- bulk import


def ingest_files(
    session: SessionLike,
    storage: Storage,
    files: list[Path],
    *,
    limits: parsers.Limits,
    max_size: int,
    jobs_at_once: int,
    default_profile: str,
    host_slots: Slots | None = None,
    on_done: Callable[[ingest.FileReport], None] = lambda r: None,
) -> ingest.Summary:
    """``flask ingest``: take each file in as an upload is (its own unit of work), parse
    ``jobs_at_once`` at a time in this process, record each in a unit of work of its own,
    in order; ``on_done`` is called after each (a progress bar).

    One file that cannot be recorded is reported and the rest go on; an interrupted
    import leaves its unfinished files ``processing`` with jobs the sweeper takes over.
    """
    summary = ingest.Summary()
    jobs_at_once = max(1, jobs_at_once)
    pending: deque[tuple[Path, ingest.FileReport | tuple[int, Future[certificates.Parsed]]]] = (
        deque()
    )
    queue = iter(files)

    def parse(job_id: int, data: bytes) -> certificates.Parsed:
        with host_slots.hold() if host_slots is not None else contextlib.nullcontext():
            parsed = certificates.parse_original(data, limits)
            if parsed.transient:  # once more, as a queued job would be
                parsed = certificates.parse_original(data, limits)
            return parsed

    with ThreadPoolExecutor(max_workers=jobs_at_once, thread_name_prefix="registry-ingest") as pool:
        while True:
            while len(pending) < AHEAD * jobs_at_once and (path := next(queue, None)) is not None:
                item = _take_in_file(session, storage, path, max_size)
                if isinstance(item, ingest.FileReport):
                    pending.append((path, item))
                else:
                    accepted, data = item
                    if accepted.job_id is None:
                        pending.append((path, ingest.duplicate(path, accepted.certificate)))
                    else:
                        pending.append(
                            (path, (accepted.job_id, pool.submit(parse, accepted.job_id, data)))
                        )
            if not pending:
                return summary
            path, waiting = pending.popleft()
            if isinstance(waiting, ingest.FileReport):
                report = waiting
            else:
                job_id, future = waiting
                report = _record_file(
                    session, storage, path, job_id, future.result(), limits, default_profile
                )
            summary.reports.append(report)
            on_done(report)


def _take_in_file(
    session: SessionLike, storage: Storage, path: Path, max_size: int
) -> ingest.FileReport | tuple[certificates.Accepted, bytes]:
    try:
        upload = certificates.Upload(data=path.read_bytes(), filename=path.name)
        return take_in(
            session,
            storage,
            upload,
            max_size=max_size,
            uploader_id=None,
            actor="cli:ingest",
            claimed=True,
        ), upload.data
    except OSError as error:
        return ingest.FileReport(
            path, ingest.IngestOutcome.REFUSED, detail=error.strerror or str(error)
        )
    except RegistryError as error:
        return ingest.FileReport(path, ingest.IngestOutcome.REFUSED, detail=error.detail)
    except SQLAlchemyError as error:
        if not_migrated(error):
            raise  # no file can be recorded: the import stops with the one thing to do
        return ingest.not_recorded(path, error)


def _record_file(
    session: SessionLike,
    storage: Storage,
    path: Path,
    job_id: int,
    parsed: certificates.Parsed,
    limits: parsers.Limits,
    default_profile: str,
) -> ingest.FileReport:
    try:
        status = run_claimed(session, storage, job_id, limits, retry_transient=False, parsed=parsed)
    except SQLAlchemyError as error:  # not migrated: run_claimed reports the rest
        return ingest.not_recorded(path, error)
    job = session.get(Job, job_id)
    cert = session.get(Certificate, int(job.params["certificate_id"])) if job else None
    if status is JobStatus.FAILED or cert is None:
        return ingest.FileReport(
            path,
            ingest.IngestOutcome.FAILED,
            cert.id if cert else None,
            detail=f"not recorded: {job.error if job else 'job lost'}",
        )
    return ingest.report_for(session, path, cert, default_profile)


# --------------------------------------------------------------------------- re-parse


def queue_reparse(session: SessionLike, certificate_ids: list[int], *, actor: str) -> list[int]:
    """Queue a parse job for each certificate (one unit of work); their ids."""

    def work() -> list[int]:
        return [
            certificates.queue_parse(session, cid, actor=actor, reparse=True).id  # type: ignore[arg-type]
            for cid in certificate_ids
        ]

    return unit_of_work.commit(session, work)
