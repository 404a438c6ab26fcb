"""batches by test date: on PostgreSQL the index carries search_text

Revision ID: a5d3e8c1f9b2
Revises: f2a9c4d81e37
Create Date: 2026-12-03 16:40:00

A page of a free-text search with many matches walks ``ix_batches_tested_id`` newest
first and checks the words row by row. With ``search_text`` included in the index's
entries (PostgreSQL's ``INCLUDE``), that walk is an index-only scan instead of a random
read of the table per row. SQLite keeps the plain index (it has no ``INCLUDE``, and its
free text goes through the FTS5 trigram table).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a5d3e8c1f9b2"
down_revision = "f2a9c4d81e37"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_batches_tested_id", table_name="batches")
    op.create_index(
        "ix_batches_tested_id",
        "batches",
        ["tested", "id"],
        postgresql_include=["search_text"],
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_batches_tested_id", table_name="batches")
    op.create_index("ix_batches_tested_id", "batches", ["tested", "id"])
