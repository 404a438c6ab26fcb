"""token names are unique: a name always means one token (in revoke and the audit log)

Tokens that share a name keep the first one's name; the others become "NAME (ID)".

Revision ID: e7b2c4a9f1d3
Revises: c3f1a7d2e9b4
Create Date: 2026-12-03 10:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7b2c4a9f1d3"
down_revision = "c3f1a7d2e9b4"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    tokens = sa.table("api_tokens", sa.column("id", sa.Integer), sa.column("name", sa.String))
    seen = set()
    for token_id, name in conn.execute(
        sa.select(tokens.c.id, tokens.c.name).order_by(tokens.c.id)
    ).all():
        if name in seen:
            conn.execute(
                tokens.update()
                .where(tokens.c.id == token_id)
                .values(name=f"{name} ({token_id})"[:200])
            )
        seen.add(name)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_api_tokens_name"), ["name"])


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_api_tokens_name"), type_="unique")
