"""batches by vendor, newest test first: an index on (vendor_id, tested, id)

A vendor's page lists its batches newest test first and charts its latest ones; the
search by vendor orders the same way. Without this index both read all of a vendor's
batches and sort them (thousands for a large vendor); with it they read the first rows.

Revision ID: b6a10adafbaa
Revises: 3c9e1f5a7b20
Create Date: 2026-12-03 13:15:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b6a10adafbaa"
down_revision = "3c9e1f5a7b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_batches_vendor_id_tested_id", "batches", ["vendor_id", "tested", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_batches_vendor_id_tested_id", table_name="batches")
