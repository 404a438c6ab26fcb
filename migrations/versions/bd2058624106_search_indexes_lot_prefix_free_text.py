"""search indexes: lot prefix, free text

Revision ID: bd2058624106
Revises: d604cfb88944
Create Date: 2026-11-25 04:31:32.240266

PostgreSQL: ``ix_batches_lot_key`` is rebuilt with ``varchar_pattern_ops`` so that the
lot prefix search (``LIKE 'KEY%'``) can use it under any database collation, and
``ix_batches_search_text`` is a pg_trgm GIN index for ``LIKE '%word%'``. The pg_trgm
extension is created when missing (in ``public``, so that dropping one application
schema never drops it from under another; it is never dropped here). SQLite: a plain
index on ``search_text`` (a word scan reads it instead of the wider table).

Autogenerate compares indexes by name and columns only, so both backends agree with
the models (``flask db check``).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bd2058624106"
down_revision = "d604cfb88944"
branch_labels = None
depends_on = None


def _trgm_schema(bind) -> str:
    """The schema holding pg_trgm, created in ``public`` (else the current schema) if missing."""
    find = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = bind.scalar(find)
    if schema is None:
        has_public = bind.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'"))
        target = "public" if has_public else bind.scalar(sa.text("SELECT current_schema()"))
        op.execute(f'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA "{target}"')
        schema = bind.scalar(find)
    return schema


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        opclass = f'"{_trgm_schema(bind)}".gin_trgm_ops'
        op.drop_index("ix_batches_lot_key", table_name="batches")
        op.create_index(
            "ix_batches_lot_key",
            "batches",
            ["lot_key"],
            unique=False,
            postgresql_ops={"lot_key": "varchar_pattern_ops"},
        )
        op.create_index(
            "ix_batches_search_text",
            "batches",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": opclass},
        )
    else:
        with op.batch_alter_table("batches", schema=None) as batch_op:
            batch_op.create_index("ix_batches_search_text", ["search_text"], unique=False)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_index("ix_batches_search_text", table_name="batches")
        op.drop_index("ix_batches_lot_key", table_name="batches")
        op.create_index("ix_batches_lot_key", "batches", ["lot_key"], unique=False)
    else:
        with op.batch_alter_table("batches", schema=None) as batch_op:
            batch_op.drop_index("ix_batches_search_text")
