"""Running background jobs: each step of a job in its own unit of work.

Embedded default: a job queued by a request runs on a thread of the web process,
started once the request's transaction has committed (a job is a row first, so a
rolled-back request starts nothing and a crashed runner loses nothing). On several
hosts, any number of runners may try a job: ``jobs.claim`` lets one take it.
``flask --app wsgi jobs run`` runs every queued or abandoned job in the foreground
with a progress bar.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy.orm import Session

from registry import unit_of_work
from registry.extensions import db
from registry.models import Job
from registry.services import jobs, rejudge

log = logging.getLogger(__name__)

STEPS: dict[str, Callable[[Session, Job], bool]] = {rejudge.KIND: rejudge.step}


def parsing_kind() -> str:
    """Parse jobs are not run step by step (a parse must not hold a transaction open):
    ``registry.tasks.parsing`` runs them."""
    from registry.services.certificates import PARSE_JOB

    return PARSE_JOB


Progress = Callable[[Job], None]


def init_app(app: Flask) -> None:
    from registry.tasks import alerts, parsing

    app.extensions["registry.jobs"] = ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="registry-job"
    )
    alerts.init_app(app)
    if app.config.get("BROKER_URL") and app.extensions.get("celery") is None:
        from registry.tasks.celery import celery_init_app

        celery_init_app(app)  # parse jobs go to the workers even when alerts are off
    parsing.init_app(app)


def submit(job_id: int) -> Future[None] | None:
    """Run the job on the app's background thread, or as a Celery task when a broker is
    set (call after the commit that queued it). A lost enqueue loses nothing: the job
    row waits for ``flask --app wsgi jobs run``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    celery = app.extensions.get("celery")
    if celery is not None:
        celery.send_task("registry.jobs.run", args=[job_id])
        return None
    executor: ThreadPoolExecutor = app.extensions["registry.jobs"]
    return executor.submit(_run_in_app, app, job_id)


def run_quietly(job_id: int) -> None:
    """A job as a Celery task (the task wrapper provides the app context)."""
    try:
        run(job_id)
    except Exception:  # the job row says failed
        log.exception("job %s failed", job_id)


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run(job_id)
        except Exception:  # the job row says failed; the thread must survive for the next
            log.exception("job %s failed", job_id)
        finally:
            db.session.remove()


def run(job_id: int, on_progress: Progress | None = None) -> bool:
    """Claim the job and run its steps to the end; False when another runner has it."""
    session = db.session
    job = session.get(Job, job_id)
    if job is not None and job.kind == parsing_kind():
        from registry.tasks import parsing

        session.rollback()
        return parsing.run(job_id) is not None
    if not unit_of_work.commit(session, lambda: jobs.claim(session, job_id)):
        return False
    try:
        while True:
            job = session.get(Job, job_id, populate_existing=True)
            assert job is not None
            step = STEPS[job.kind]
            finished = unit_of_work.commit(session, functools.partial(step, session, job))
            if on_progress is not None:
                on_progress(job)
            if finished:
                log.info("job %s (%s) done: %s", job_id, job.kind, job.result)
                return True
    except Exception as exc:
        session.rollback()
        reason = f"{type(exc).__name__}: {exc}"
        unit_of_work.commit(session, lambda: jobs.fail(session, job_id, reason))
        raise
