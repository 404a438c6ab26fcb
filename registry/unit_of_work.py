"""Run a unit of work and commit it once, retrying races (see ``db.is_retryable``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, scoped_session

from registry.db import is_retryable, write_intent

T = TypeVar("T")


def commit(
    session: Session | scoped_session[Session], work: Callable[[], T], *, attempts: int = 4
) -> T:
    """Call ``work()`` in a write transaction and commit; rerun it after a race.

    Any read transaction the caller had open is ended first, so that the write
    transaction begins here (``BEGIN IMMEDIATE`` on SQLite) and not as a deferred
    read that SQLite could refuse to upgrade. Call it before writing anything.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unit of work started with pending changes")
    if session().in_transaction() if callable(session) else session.in_transaction():
        session.rollback()
    for attempt in range(1, attempts + 1):
        try:
            with write_intent():
                result = work()
                session.commit()
            return result
        except Exception as error:
            session.rollback()
            if attempt == attempts or not is_retryable(error):
                raise
    raise AssertionError("unreachable")
