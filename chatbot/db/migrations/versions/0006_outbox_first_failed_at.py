"""when an outbox row first failed to send: its retries are bounded from then

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
    # Rows already retrying: their first failure is unknown, their last one is the best guess.
    op.execute(
        "UPDATE outbox SET first_failed_at = next_attempt_at "
        "WHERE status = 'pending' AND attempts > 0"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("first_failed_at")
