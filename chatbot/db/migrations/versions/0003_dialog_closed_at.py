"""when a dialog was closed

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Dialogs closed before this revision: their last change is the best guess of when, written
# to the column and to the state JSON alike, since every save copies the state's to the column.
_POSTGRESQL = """
UPDATE dialogs SET closed_at = updated_at,
    state = jsonb_set(state::jsonb, '{closed_at}', to_jsonb(to_char(updated_at AT TIME ZONE 'UTC',
                      'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')))::json
WHERE closed
"""
_SQLITE = """
UPDATE dialogs SET closed_at = updated_at,
    state = json_set(state, '$.closed_at', replace(updated_at, ' ', 'T') || '+00:00')
WHERE closed
"""


def upgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(_POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE)


def downgrade() -> None:
    with op.batch_alter_table("dialogs", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
