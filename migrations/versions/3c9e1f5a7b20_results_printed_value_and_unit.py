"""results: the value in the unit the COA printed, beside the canonical one

Revision ID: 3c9e1f5a7b20
Revises: f4c2d8a1b7e3
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c9e1f5a7b20"
down_revision = "f4c2d8a1b7e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_value", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("printed_unit", sa.String(length=30), nullable=True))


def downgrade():
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("printed_unit")
        batch_op.drop_column("printed_value")
