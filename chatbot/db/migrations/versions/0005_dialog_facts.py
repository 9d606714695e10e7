"""what the report counts and the state forgets: closes, nudges, ratings, managers' messages;
the weekly digests sent

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A dialog closed before this revision keeps its last close: the report counts it.
_CLOSES = """
INSERT INTO dialog_facts (dialog_id, kind, name, created_at)
SELECT id, 'closed', close_reason, closed_at FROM dialogs
WHERE closed AND close_reason IS NOT NULL AND closed_at IS NOT NULL
"""


def upgrade() -> None:
    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "dialog_facts",
        sa.Column("id", id_type, primary_key=True, autoincrement=True),
        sa.Column("dialog_id", id_type, sa.ForeignKey("dialogs.id"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("manager", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dialog_facts_dialog", "dialog_facts", ["dialog_id", "kind", "created_at"])
    op.create_index("ix_dialog_facts_kind", "dialog_facts", ["kind", "created_at"])
    op.create_index("ix_dialogs_created_at", "dialogs", ["created_at"])
    op.execute(_CLOSES)
    op.create_table(
        "report_digests",
        sa.Column("week", sa.String(length=10), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_digests")
    op.drop_index("ix_dialogs_created_at", table_name="dialogs")
    op.drop_table("dialog_facts")
