"""SQLite: an FTS5 trigram index of batches.search_text for free text (``q``)

Revision ID: 5e0f3a9c71d2
Revises: 60e713203d1e
Create Date: 2026-12-01 21:30:00.000000

SQLite has no index for ``LIKE '%word%'``, so a word search scanned every batch. This
adds ``batches_fts``, an external-content FTS5 table over ``batches.search_text`` with
the trigram tokenizer: a phrase query of a word of three characters or more finds
exactly the rows whose text contains it as a substring (``registry.services.search``
uses it for such words and keeps ``LIKE`` for shorter ones). Three triggers keep it in
step with every insert, update and delete of ``batches``; the index is rebuilt from the
table here once.

``migrations/env.py`` leaves ``batches_fts`` and its shadow tables out of autogenerate,
so ``flask db check`` does not report them as tables the models lack.

Beware: a later ``batch_alter_table("batches")`` on SQLite copies the table and drops
the old one, and the triggers with it. Such a migration must run this module's
``create_triggers`` and ``rebuild`` again (``tests/registry/test_search_fts.py``
fails at head when the triggers are missing).

PostgreSQL: nothing (its pg_trgm GIN index serves ``LIKE`` itself). SQLite builds
without FTS5 or older than 3.34 (no trigram tokenizer) get no table; search then falls
back to scanning, as before.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e0f3a9c71d2"
down_revision = "60e713203d1e"
branch_labels = None
depends_on = None

TRIGGERS = {
    "batches_fts_insert": """
        CREATE TRIGGER batches_fts_insert AFTER INSERT ON batches BEGIN
            INSERT INTO batches_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "batches_fts_delete": """
        CREATE TRIGGER batches_fts_delete AFTER DELETE ON batches BEGIN
            INSERT INTO batches_fts (batches_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
    "batches_fts_update": """
        CREATE TRIGGER batches_fts_update AFTER UPDATE OF id, search_text ON batches
        WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN
            INSERT INTO batches_fts (batches_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO batches_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def fts5_trigram(bind) -> bool:
    """True when this SQLite has FTS5 with the trigram tokenizer (3.34 and later)."""
    version = tuple(int(p) for p in bind.scalar(sa.text("SELECT sqlite_version()")).split("."))
    options = set(bind.scalars(sa.text("PRAGMA compile_options")))
    return version >= (3, 34) and "ENABLE_FTS5" in options


def create_triggers():
    for sql in TRIGGERS.values():
        op.execute(sql)


def rebuild():
    op.execute("INSERT INTO batches_fts (batches_fts) VALUES ('rebuild')")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not fts5_trigram(bind):
        return
    # detail=full: a word is a phrase of its trigrams, which needs positions;
    # columnsize=0: no per-row token counts (they only serve ranking).
    op.execute(
        "CREATE VIRTUAL TABLE batches_fts USING fts5(search_text, content='batches', "
        "content_rowid='id', tokenize='trigram', detail=full, columnsize=0)"
    )
    create_triggers()
    rebuild()


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS batches_fts")
