"""alerts: confirmation mails are deliveries; outbox index for the feed and fan-out

``deliveries.kind`` (``event`` or ``confirmation``) lets a sign-up's double opt-in mail
be stored and retried like any alert (``event_id`` is NULL for it); existing rows are
events. ``ix_outbox_events_type_profile_code_id`` serves the Atom feed's and the
fan-out's reads of one event type under one profile, newest first.

Revision ID: 4c1d9e2f7a60
Revises: 7b07ea3c4529
Create Date: 2026-12-03 13:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4c1d9e2f7a60"
down_revision = "7b07ea3c4529"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("event", "confirmation", name="deliverykind", native_enum=False, length=30),
                server_default="event",
                nullable=False,
            )
        )
        batch_op.alter_column("event_id", existing_type=sa.Integer(), nullable=True)

    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_events_type_profile_code_id", ["type", "profile_code", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_type_profile_code_id")

    op.execute("DELETE FROM deliveries WHERE event_id IS NULL")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("kind")
