"""Recording what became of outbox rows: sent, to retry, failed, released, or dropped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from chatbot.core.events import history_text
from chatbot.db import inbox
from chatbot.db.prepared import Prepared
from chatbot.db.tables import OutboxRow


@dataclass(frozen=True, slots=True)
class Delivery:
    """A row whose send is being recorded: where it went and what it said."""

    row_id: int
    dialog_id: int
    channel: str
    kind: str
    payload: Mapping[str, Any]


_SENT = Prepared(
    lambda _: update(OutboxRow)
    .where(OutboxRow.id == bindparam("row_id"))
    .values(status=bindparam("status"), sent_at=bindparam("sent_at"),
            attempts=bindparam("attempts"))
)  # fmt: skip


def record_outcome(conn: Connection, row: Delivery, values: dict[str, Any], now: datetime) -> None:
    """Write a send's outcome on its row; a sent message also goes into the dialog's history."""
    if values.get("status") != "sent":
        conn.execute(update(OutboxRow).where(OutboxRow.id == row.row_id).values(values))
        return
    _SENT.rowcount(conn, {"row_id": row.row_id, **values})
    if row.kind == "message":
        # Outbound messages are recorded once really sent, not when planned.
        author = str(row.payload.get("manager") or "bot")
        copied = row.payload.get("copy_of")
        text = history_text(str(row.payload.get("text", "")), str(copied) if copied else None)
        inbox.record_message(conn, row.dialog_id, row.channel, "out", author, text, now)


def release_rows(conn: Connection, row_ids: list[int], now: datetime) -> None:
    """Make claimed rows due again now."""
    conn.execute(update(OutboxRow).where(OutboxRow.id.in_(row_ids)).values(next_attempt_at=now))


def drop_after_block(
    conn: Connection, channel: str, chat_id: str, after_id: int, reason: str
) -> list[dict[str, Any]]:
    """Mark the chat's pending messages after row `after_id` skipped; returns their payloads.

    The customer cannot receive them (blocked the bot, undeliverable number): they are kept as
    `skipped` with the reason, like the replies the engine holds back for a blocked customer.
    """
    later = (
        OutboxRow.status == "pending",
        OutboxRow.kind == "message",
        OutboxRow.channel == channel,
        OutboxRow.chat_id == chat_id,
        OutboxRow.id > after_id,
    )
    rows = conn.execute(select(OutboxRow.id, OutboxRow.payload).where(*later)).all()
    if rows:
        conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([r.id for r in rows]), OutboxRow.status == "pending")
            .values(status="skipped", error=reason)
        )
    return [dict(r.payload) for r in rows]
