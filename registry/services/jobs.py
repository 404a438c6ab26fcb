"""Background jobs as rows: queued in the transaction that needs them, claimed by one
runner at a time, progress reported as they go, resumed when a runner dies.

Kinds and what one step of each does live beside their rules (``rejudge.step``);
``registry.tasks`` runs the steps, each in its own unit of work.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.errors import NotFound
from registry.models import Job, JobStatus

# A running job whose runner has not reported for this long is taken over.
STALE_AFTER = timedelta(minutes=2)


def enqueue(session: Session, kind: str, params: dict[str, Any], *, actor: str) -> Job:
    job = Job(kind=kind, params=params, status=JobStatus.QUEUED, actor=actor, done=0)
    session.add(job)
    session.flush()
    return job


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def claimable(
    session: Session,
    now: datetime | None = None,
    *,
    kind: str | None = None,
    stale_after: timedelta = STALE_AFTER,
    queued_before: datetime | None = None,
) -> list[int]:
    """Ids of jobs waiting for a runner: queued ones (``queued_before``: queued before
    then) and abandoned running ones, of one ``kind`` or all."""
    now = now or utcnow()
    queued = Job.status == JobStatus.QUEUED
    if queued_before is not None:
        queued = sa.and_(queued, Job.created_at < queued_before)
    query = sa.select(Job.id).where(
        sa.or_(
            queued, sa.and_(Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - stale_after)
        )
    )
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.scalars(query.order_by(Job.id)))


def claim(
    session: Session,
    job_id: int,
    now: datetime | None = None,
    *,
    stale_after: timedelta = STALE_AFTER,
) -> bool:
    """Take the job for this runner; False when another runner holds it or it is over."""
    now = now or utcnow()
    taken = session.execute(
        sa.update(Job)
        .where(
            Job.id == job_id,
            sa.or_(
                Job.status == JobStatus.QUEUED,
                sa.and_(Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - stale_after),
            ),
        )
        .values(
            status=JobStatus.RUNNING,
            heartbeat_at=now,
            started_at=sa.func.coalesce(Job.started_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(cast("sa.CursorResult[Any]", taken).rowcount)


def start(job: Job) -> None:
    """The job is run by the process that queued it (it needs no claim)."""
    job.status = JobStatus.RUNNING
    job.started_at = job.heartbeat_at = utcnow()


def requeue(job: Job, *, params: dict[str, Any], **result: Any) -> None:
    """Put a running job back in the queue, for another runner to claim."""
    job.params = params
    job.status = JobStatus.QUEUED
    job.heartbeat_at = None
    job.result = {**(job.result or {}), **result}


def beat(job: Job, *, done: int, total: int | None = None, **result: Any) -> None:
    """Record progress (and whatever the step wants to keep, such as a cursor)."""
    job.done = done
    if total is not None:
        job.total = total
    job.heartbeat_at = utcnow()
    if result:
        job.result = {**(job.result or {}), **result}


def finish(job: Job, **result: Any) -> None:
    job.status = JobStatus.DONE
    job.finished_at = job.heartbeat_at = utcnow()
    job.result = {**(job.result or {}), **result}


def fail(session: Session, job_id: int, error: str) -> None:
    session.execute(
        sa.update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.FAILED, error=error[:2000], finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
