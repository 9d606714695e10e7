"""Upgrading a database that already holds dialogs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from chatbot.core.state import DialogState
from chatbot.db import cards, dialogs
from chatbot.db.database import Database
from chatbot.db.migrate import alembic_config, upgrade
from chatbot.db.tables import CustomerRow, DialogRow
from chatbot.db.types import UtcDateTime

CLOSED_AT = datetime(2026, 3, 2, 8, 15, 30, 123456, tzinfo=UTC)
# The tasks table before 0004 (TaskRow would also write the column 0004 adds)
_TASKS = sa.table(
    "tasks",
    *map(sa.column, ("id", "dialog_id", "kind", "reason", "status")),
    sa.column("created_at", UtcDateTime()),
)


async def _downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()

    def _run(sync_conn: Any) -> None:
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(_run)


def _before_0003(state: DialogState) -> dict[str, object]:
    """The state JSON as it was written before dialogs knew when they were closed."""
    return {k: v for k, v in state.to_json().items() if k != "closed_at"}


async def test_dialogs_closed_before_0003_get_their_last_change_as_closing_time(
    db: Database,
) -> None:
    await _downgrade(db, "0002")
    spam = DialogState(
        channel="telegram", closed=True, close_reason="spam", flags=frozenset({"spammer"})
    )
    async with db.engine.begin() as conn:
        await conn.execute(sa.insert(CustomerRow).values(id=1, name="Анна", created_at=CLOSED_AT))
        for id_, state in ((1, spam), (2, DialogState(channel="telegram"))):
            await conn.execute(
                sa.insert(DialogRow).values(
                    id=id_,
                    customer_id=1,
                    channel="telegram",
                    chat_id=str(id_),
                    stage="new",
                    closed=state.closed,
                    close_reason=state.close_reason,
                    paused=False,
                    flags=",".join(state.flags),
                    lang="ru",
                    version=1,
                    state=_before_0003(state),
                    created_at=CLOSED_AT,
                    updated_at=CLOSED_AT,
                )
            )
    await upgrade(db)
    closed = await db.read(dialogs.load_dialog, "telegram", "1")
    still_open = await db.read(dialogs.load_dialog, "telegram", "2")
    assert closed is not None
    assert still_open is not None
    assert closed.state.closed_at == CLOSED_AT
    assert closed.state.flags == {"spammer"}  # the rest of the state is kept
    assert still_open.state.closed_at is None
    async with db.snapshot() as session:
        column = await session.execute(sa.text("SELECT id, closed_at FROM dialogs ORDER BY id"))
        assert [(i, at is not None) for i, at in column] == [(1, True), (2, False)]


async def test_tasks_made_before_0004_keep_going_to_the_managers_group(db: Database) -> None:
    await _downgrade(db, "0003")
    async with db.engine.begin() as conn:
        await conn.execute(sa.insert(CustomerRow).values(id=1, name="Анна", created_at=CLOSED_AT))
        dialog = DialogState(channel="telegram")
        await conn.execute(
            sa.insert(DialogRow).values(
                id=1,
                customer_id=1,
                channel="telegram",
                chat_id="1",
                state=dialog.to_json(),
                created_at=CLOSED_AT,
                updated_at=CLOSED_AT,
            )
        )
        await conn.execute(
            sa.insert(_TASKS).values(
                id=1,
                dialog_id=1,
                kind="supervisor_review",
                reason="",
                status="open",
                created_at=CLOSED_AT,
            )
        )
    await upgrade(db)
    async with db.snapshot() as session:
        card = await cards.task_card(session, 1)
    assert card is not None
    assert card.post_to == "managers"
