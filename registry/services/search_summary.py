"""The search summary: ``batch_terms``, one row per fact a filter asks for.

A batch's terms (see ``registry.models.search.BatchTerm``) are its current status under
each profile, the statuses it has under any profile, and the analytes and categories it
has results for. :func:`refresh` recomputes them for some batches from ``verdicts`` and
``results`` in two statements (delete, then insert from a select), in the caller's
transaction: ``registry.services.verdicts.judge_batches`` calls it where it writes the
verdicts, so the summary changes with them (an upload, a correction, a deleted result, a
re-judgement). Deleting a batch deletes its terms (foreign key, ``ON DELETE CASCADE``).

:func:`rebuild` fills the table for every batch (the migration that creates it runs the
same statements, and ``bench/search.py`` after seeding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import BatchTerm, Result, VerdictRecord

_T = cast(sa.Table, BatchTerm.__table__)
_R = cast(sa.Table, Result.__table__)
_VD = VerdictRecord.__table__
ANY = "*"  # the profile part of a status term under any profile
CHUNK = 5000  # batch ids per statement


def status_term(profile: str, status: str) -> str:
    return f"s:{profile}:{status}"


def analyte_term(code: str) -> str:
    return f"a:{code}"


def category_term(category: str) -> str:
    return f"c:{category}"


def _sources(ids: sa.BindParameter[list[int]] | None) -> list[sa.Select[tuple[str, int]]]:
    """One select per kind of term, each already free of duplicates."""

    def where(col: sa.ColumnElement[int]) -> list[sa.ColumnElement[bool]]:
        return [col.is_not(None)] if ids is None else [col.in_(ids)]

    return [
        sa.select(
            (sa.literal("s:") + _VD.c.profile_code + ":" + _VD.c.status).label("term"),
            _VD.c.batch_id,
        ).where(*where(_VD.c.batch_id)),
        sa.select((sa.literal("s:" + ANY + ":") + _VD.c.status).label("term"), _VD.c.batch_id)
        .where(*where(_VD.c.batch_id))
        .distinct(),
        sa.select((sa.literal("a:") + _R.c.analyte).label("term"), _R.c.batch_id)
        .where(*where(_R.c.batch_id))
        .distinct(),
        sa.select((sa.literal("c:") + _R.c.category).label("term"), _R.c.batch_id)
        .where(*where(_R.c.batch_id))
        .distinct(),
    ]


def _inserts(ids: sa.BindParameter[list[int]] | None) -> list[sa.Insert]:
    return [_T.insert().from_select(["term", "batch_id"], src) for src in _sources(ids)]


_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_REFRESH = [_T.delete().where(_T.c.batch_id.in_(_IDS)), *_inserts(_IDS)]


def refresh(session: Session, batch_ids: Sequence[int]) -> None:
    """Recompute the terms of ``batch_ids`` from their verdicts and results (no commit)."""
    ids = sorted(set(batch_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = {"ids": ids[start : start + CHUNK]}
        for stmt in _REFRESH:
            session.execute(stmt, chunk)


#: :func:`rebuild` as plain SQL (the migration that creates the table runs the same).
REBUILD_SQL = (
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT 's:' || profile_code || ':' || status, batch_id FROM verdicts WHERE batch_id IS NOT NULL",
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT DISTINCT 's:*:' || status, batch_id FROM verdicts WHERE batch_id IS NOT NULL",
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT DISTINCT 'a:' || analyte, batch_id FROM results WHERE batch_id IS NOT NULL",
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT DISTINCT 'c:' || category, batch_id FROM results WHERE batch_id IS NOT NULL",
)


def rebuild(conn: sa.Connection) -> None:
    """Every batch's terms, from scratch."""
    conn.execute(_T.delete())
    for sql in REBUILD_SQL:
        conn.exec_driver_sql(sql)
