"""Re-judging every stored batch after profiles change, as a resumable background job.

A job names the profile versions to judge under; each :func:`step` judges the next
chunk of batches (by ascending id after the job's cursor) and records progress, in one
unit of work, so a job interrupted anywhere resumes where its last step committed and
judging a chunk twice changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import Batch, Job, ProfileVersion
from registry.services import jobs, verdicts

KIND = "rejudge"
CHUNK = 2000


def enqueue(session: Session, changed: list[ProfileVersion], *, actor: str) -> Job:
    """Queue a re-judgement of every batch under the given (new) profile versions."""
    params = {"profiles": [[p.code, p.version] for p in changed]}
    return jobs.enqueue(session, KIND, params, actor=actor)


def _profiles(session: Session, params: dict[str, Any]) -> list[ProfileVersion]:
    wanted = {(code, int(version)) for code, version in params["profiles"]}
    rows = session.scalars(
        sa.select(ProfileVersion).where(
            ProfileVersion.code.in_({code for code, _ in wanted}), ProfileVersion.current
        )
    )
    # A version superseded before the job ran is skipped: the newer one has its own job.
    return [row for row in rows if (row.code, row.version) in wanted]


def _judged_before(session: Session, profiles: list[ProfileVersion]) -> dict[str, ProfileVersion]:
    """For each profile, the version just before it when every batch had been judged
    under that one (so the stored verdicts hold under it)."""
    found = {}
    for row in profiles:
        before = session.scalar(
            sa.select(ProfileVersion)
            .where(ProfileVersion.code == row.code, ProfileVersion.version < row.version)
            .order_by(ProfileVersion.version.desc())
            .limit(1)
        )
        if before is not None and before.judged_at is not None:
            found[row.code] = before
    return found


def step(session: Session, job: Job, *, chunk: int = CHUNK) -> bool:
    """Judge the next chunk of batches; True when the job is finished."""
    cursor = int((job.result or {}).get("cursor", 0))
    total = job.total
    if total is None:
        total = session.scalar(sa.select(sa.func.count()).select_from(Batch)) or 0
    profiles = _profiles(session, job.params)
    ids = list(
        session.scalars(
            sa.select(Batch.id).where(Batch.id > cursor).order_by(Batch.id).limit(chunk)
        )
    )
    if not ids or not profiles:
        job.total = job.done  # batches added since the count are judged on upload
        now = utcnow()
        for row in profiles:
            row.judged_at = now
        jobs.finish(job, cursor=cursor)
        return True
    report = verdicts.judge_batches(
        session, ids, profiles, restamp=False, previous=_judged_before(session, profiles)
    )
    counts = (job.result or {}).get("counts", {})
    merged = {
        "changed": counts.get("changed", 0) + report.changed,
        "written": counts.get("written", 0) + report.written,
        **{kind: counts.get(kind, 0) + n for kind, n in report.events.items()},
    }
    jobs.beat(
        job,
        done=job.done + len(ids),
        total=max(total, job.done + len(ids)),
        cursor=ids[-1],
        counts=merged,
    )
    return False
