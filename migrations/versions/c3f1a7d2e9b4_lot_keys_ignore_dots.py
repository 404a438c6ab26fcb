"""lot keys ignore dots, as they ignore spaces and dashes

A lot printed "RB.2024.0117" is found by "RB-2024-0117" and "rb20240117". Existing keys
lose their dots, except where that would give a vendor two batches with one key (two
lots that differ only by dots): those keep theirs and are listed in the log, to be
merged by hand if they are one lot.

Revision ID: c3f1a7d2e9b4
Revises: a41720f0e9b6
Create Date: 2026-12-03 10:05:00
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "c3f1a7d2e9b4"
down_revision = "a41720f0e9b6"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    conn = op.get_bind()
    batches = sa.table(
        "batches",
        sa.column("id", sa.Integer),
        sa.column("vendor_id", sa.Integer),
        sa.column("lot_key", sa.String),
    )
    rows = conn.execute(sa.select(batches.c.id, batches.c.vendor_id, batches.c.lot_key)).all()
    taken = {(r.vendor_id, r.lot_key) for r in rows}
    for r in rows:
        if "." not in r.lot_key:
            continue
        new = r.lot_key.replace(".", "")
        if (r.vendor_id, new) in taken or not new:
            log.warning(
                "batch %s keeps lot key %r: another batch of its vendor has %r",
                r.id,
                r.lot_key,
                new,
            )
            continue
        taken.discard((r.vendor_id, r.lot_key))
        taken.add((r.vendor_id, new))
        conn.execute(batches.update().where(batches.c.id == r.id).values(lot_key=new))


def downgrade():
    # The dots are gone from the keys (the lots themselves keep them); keys without
    # dots still find every lot, so there is nothing to undo.
    pass
