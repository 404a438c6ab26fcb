"""search summary (batch_terms) and a tsvector index for whole words

Revision ID: f2a9c4d81e37
Revises: b6a10adafbaa
Create Date: 2026-12-03 13:20:00

``batch_terms`` holds, per batch, one row per fact a search filter asks for: its current
status under each profile (``s:<profile>:<status>``), the statuses it has under any
profile (``s:*:<status>``), and the analytes (``a:<code>``) and categories
(``c:<category>``) it has results for. Its primary key ``(term, batch_id)`` is a posting
list per term (a ``WITHOUT ROWID`` table on SQLite); ``ix_batch_terms_batch_id_term``
serves probes from a batch, the refresh and the cascade. The upgrade fills it from the verdicts and results already
stored (the same statements as ``registry.services.search_summary.rebuild``).

PostgreSQL: ``ix_batches_search_tsv``, a GIN index on
``to_tsvector('simple', search_text)``, finds whole words (the ranking of a free-text
search puts them first); partial words keep the pg_trgm index of ``search_text``
(pg_trgm is created when missing, as by revision bd2058624106). SQLite keeps its FTS5
trigram table.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2a9c4d81e37"
down_revision = "b6a10adafbaa"
branch_labels = None
depends_on = None

BACKFILL = (
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT 's:' || profile_code || ':' || status, batch_id FROM verdicts WHERE batch_id IS NOT NULL",
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT DISTINCT 's:*:' || status, batch_id FROM verdicts WHERE batch_id IS NOT NULL",
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT DISTINCT 'a:' || analyte, batch_id FROM results WHERE batch_id IS NOT NULL",
    "INSERT INTO batch_terms (term, batch_id) "
    "SELECT DISTINCT 'c:' || category, batch_id FROM results WHERE batch_id IS NOT NULL",
)


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "batch_terms",
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_batch_terms_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "batch_id", name=op.f("pk_batch_terms")),
        sqlite_with_rowid=False,
    )
    for stmt in BACKFILL:
        op.execute(stmt)
    op.create_index(
        "ix_batch_terms_batch_id_term", "batch_terms", ["batch_id", "term"], unique=True
    )
    if bind.dialect.name == "postgresql":
        find = sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if bind.scalar(find) is None:
            has_public = bind.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'"))
            target = "public" if has_public else bind.scalar(sa.text("SELECT current_schema()"))
            op.execute(f'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA "{target}"')
        op.execute(
            "CREATE INDEX ix_batches_search_tsv ON batches "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )
        op.execute("ANALYZE batch_terms")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_batches_search_tsv")
    op.drop_index("ix_batch_terms_batch_id_term", table_name="batch_terms")
    op.drop_table("batch_terms")
