"""task cards in the managers' chat

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_chat_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("card_message_id", sa.BigInteger(), nullable=True))

    op.create_table(
        "manager_posts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("dialog_id", _ID, nullable=False),
        sa.Column("task_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("buttons", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dialog_id"], ["dialogs.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_manager_post"),
    )
    with op.batch_alter_table("manager_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manager_posts_dialog_id"), ["dialog_id"])
        batch_op.create_index(batch_op.f("ix_manager_posts_task_id"), ["task_id"])


def downgrade() -> None:
    with op.batch_alter_table("manager_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manager_posts_task_id"))
        batch_op.drop_index(batch_op.f("ix_manager_posts_dialog_id"))
    op.drop_table("manager_posts")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("card_message_id")
        batch_op.drop_column("card_chat_id")
