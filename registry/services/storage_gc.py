"""Orphan collection: a file stored for an upload whose transaction never committed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import Certificate
from registry.storage import Storage


def collect(session: Session, storage: Storage, *, grace: timedelta, dry_run: bool) -> list[str]:
    """Delete stored files older than ``grace`` that no certificate refers to.

    An upload stores its file before its row commits; storing the same bytes again
    refreshes the file's time, and the deletion itself re-checks that time, so a file
    is never taken from an upload in flight however long it has been an orphan.
    """
    cutoff = utcnow() - grace
    candidates = [key for key, mtime in storage.keys() if mtime < cutoff]
    removed = []
    for i in range(0, len(candidates), 500):
        chunk = candidates[i : i + 500]
        known = set(
            session.scalars(sa.select(Certificate.sha256).where(Certificate.sha256.in_(chunk)))
        )
        for key in chunk:
            if key not in known and (dry_run or storage.delete_if_older(key, cutoff)):
                removed.append(key)
    return removed
