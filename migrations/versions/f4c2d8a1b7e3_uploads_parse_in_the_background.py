"""uploads parse in the background: a certificate keeps what its uploader said

A certificate is recorded as ``processing`` before its parse job runs (the status is a
non-native enum: the new value needs no change of the column), and keeps the form's
overrides (vendor, product, batch, form, serving) so that the job, or a re-parse later,
applies them.

Revision ID: f4c2d8a1b7e3
Revises: 4c1d9e2f7a60
Create Date: 2026-12-03 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f4c2d8a1b7e3"
down_revision = "4c1d9e2f7a60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overrides", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("overrides")
