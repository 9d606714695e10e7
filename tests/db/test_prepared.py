"""Prepared statements: the raw SQLite path stores exactly what SQLAlchemy would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from chatbot.db import dialogs
from chatbot.db.database import Database
from chatbot.db.prepared import Prepared
from chatbot.db.tables import OutboxRow
from chatbot.ports.inbound import CustomerInfo

NOW = datetime(2026, 3, 2, 8, 0, 5, 123456, tzinfo=UTC)
COLUMNS = (
    "dialog_id",
    "idempotency_key",
    "kind",
    "channel",
    "chat_id",
    "payload",
    "status",
    "error",
    "attempts",
    "next_attempt_at",
    "created_at",
)


def _build(insert: object) -> object:
    return (
        insert(OutboxRow)  # type: ignore[operator]
        .values({c: bindparam(c) for c in COLUMNS if c != "status"} | {"status": "pending"})
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


OUTBOX = Prepared(_build)  # type: ignore[arg-type]


def _row(key: str) -> dict[str, object]:
    return {
        "dialog_id": 1,
        "idempotency_key": key,
        "kind": "message",
        "channel": "telegram",
        "chat_id": "7",
        "payload": {"text": "Привет", "buttons": [{"id": "a"}]},
        "error": None,
        "attempts": 0,
        "next_attempt_at": NOW + timedelta(hours=3),
        "created_at": NOW,
    }


async def _with_dialog(db: Database) -> None:
    made = await db.write(dialogs.create_dialog, "telegram", "7", CustomerInfo(), NOW, "ru")
    assert made is not None


async def test_stored_values_match_sqlalchemys_own(db: Database) -> None:
    await _with_dialog(db)

    def both(conn: Connection) -> tuple[int, int, int]:
        fast = OUTBOX.rowcount(conn, _row("fast"))
        usual = conn.execute(OUTBOX.statement(conn.dialect), _row("usual")).rowcount
        again = OUTBOX.rowcount(conn, _row("fast"))  # ON CONFLICT DO NOTHING
        return fast, usual, again

    assert await db.write(both) == (1, 1, 0)
    columns = ", ".join(COLUMNS)
    stored = await db.read(
        lambda c: [
            tuple(r)
            for r in c.execute(text(f"SELECT {columns} FROM outbox ORDER BY idempotency_key"))
        ]
    )
    fast, usual = stored
    assert (fast[1], usual[1]) == ("fast", "usual")
    assert fast[:1] + fast[2:] == usual[:1] + usual[2:]  # as stored, the key column aside
    rows = await db.read(
        lambda c: list(c.execute(select(OutboxRow.payload, OutboxRow.created_at, OutboxRow.status)))
    )
    assert {(r[0]["text"], r[1], r[2]) for r in rows} == {("Привет", NOW, "pending")}


async def test_returning_and_rowcount(db: Database) -> None:
    new_id = Prepared(
        lambda insert: (
            insert(OutboxRow).values({c: bindparam(c) for c in COLUMNS}).returning(OutboxRow.id)
        )
    )
    await _with_dialog(db)
    first = await db.write(new_id.scalar, _row("a") | {"status": "sent"})
    second = await db.write(new_id.scalar, _row("b") | {"status": "sent"})
    assert second == first + 1


async def test_a_missing_parameter_is_an_error_not_a_null(db: Database) -> None:
    await _with_dialog(db)
    incomplete = _row("x")
    del incomplete["chat_id"]
    with pytest.raises((KeyError, StatementError), match="chat_id"):
        await db.write(OUTBOX.rowcount, incomplete)


async def test_driver_errors_surface_as_sqlalchemy_errors(db: Database) -> None:
    # No dialog 1: the foreign key refuses the row on both backends.
    with pytest.raises(IntegrityError):
        await db.write(OUTBOX.rowcount, _row("orphan"))
