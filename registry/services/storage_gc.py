"""Orphan collection: a file stored for an upload whose transaction never committed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import Certificate
from registry.storage import Storage


def collect(session: Session, storage: Storage, *, grace: timedelta, dry_run: bool) -> list[str]:
    cutoff = utcnow() - grace
    candidates = [key for key, mtime in storage.keys() if mtime < cutoff]
    removed = []
    for i in range(0, len(candidates), 500):
        chunk = candidates[i:i + 500]
        known = set(session.scalars(sa.select(Certificate.sha256).where(Certificate.sha256.in_(chunk))))
        for key in chunk:
            if key not in known:
                if not dry_run:
                    storage.delete(key)
                removed.append(key)
    return removed
