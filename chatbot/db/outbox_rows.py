"""Every statement on outbox rows: enqueue, claim, release, compose, and record outcomes.

Rows go in and out as typed messages (chatbot.core.outbox_messages); ORM rows stay here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, select, tuple_, update
from sqlalchemy.orm import aliased

from chatbot.core.events import history_text
from chatbot.core.outbox_messages import (
    CustomerMessage,
    ManagerAlert,
    OutboxMessage,
    kind_of,
    message_from_row,
)
from chatbot.db import inbox
from chatbot.db.dialogs import of_dialog
from chatbot.db.prepared import Prepared
from chatbot.db.tables import OutboxRow


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """An outbox row to add; the idempotency key makes a replayed effect a no-op."""

    key: str
    channel: str
    chat_id: str
    message: OutboxMessage
    status: str = "pending"
    error: str | None = None

    @classmethod
    def staff(cls, key: str, channel: str, message: OutboxMessage) -> OutboxItem:
        """A row for the managers' chat or the CRM (no customer chat; an alert's is its kind)."""
        # Reports count alerts by kind from this column.
        chat = message.kind if isinstance(message, ManagerAlert) else ""
        return cls(key, channel, chat, message)


def enqueue(conn: Connection, dialog_id: int, items: Sequence[OutboxItem], now: datetime) -> None:
    """Add outbox rows (one statement for all of them)."""
    if not items:
        return
    rows = [
        {
            "dialog_id": dialog_id,
            "idempotency_key": i.key,
            "kind": kind_of(i.message),
            "channel": i.channel,
            "chat_id": i.chat_id,
            "payload": i.message.to_payload(),
            "status": i.status,
            "error": i.error,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for i in items
    ]
    _OUTBOX.many(conn, rows)


def _build_outbox(insert: Any) -> Any:
    columns = (
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
    return (
        insert(OutboxRow)
        .values({c: bindparam(c) for c in columns})
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


_OUTBOX = Prepared(_build_outbox)


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """An outbox row handed to a sender (never the ORM row itself)."""

    id: int
    dialog_id: int
    channel: str
    chat_id: str
    idempotency_key: str
    message: OutboxMessage
    attempts: int
    first_failed_at: datetime | None


_Earlier = aliased(OutboxRow)
# The chat has an older row waiting for a retry (or leased to another instance). Excluded in
# SQL, not after the LIMIT: a long outage leaves many such held rows, and they must not fill
# every claim while other chats' rows could go.
_WAITING = exists().where(
    _Earlier.status == "pending",
    _Earlier.next_attempt_at > bindparam("now"),
    _Earlier.channel == OutboxRow.channel,
    _Earlier.chat_id == OutboxRow.chat_id,
    _Earlier.id < OutboxRow.id,
)
_DUE = (
    select(
        OutboxRow.id,
        OutboxRow.dialog_id,
        OutboxRow.channel,
        OutboxRow.chat_id,
        OutboxRow.kind,
        OutboxRow.idempotency_key,
        OutboxRow.payload,
        OutboxRow.attempts,
        OutboxRow.first_failed_at,
    )
    .where(
        OutboxRow.status == "pending",
        OutboxRow.next_attempt_at <= bindparam("now"),
        OutboxRow.channel.in_(bindparam("channels", expanding=True)),
        ~_WAITING,
    )
    .order_by(OutboxRow.id)
    .limit(bindparam("limit"))
)
_DUE_LOCKED = _DUE.with_for_update(skip_locked=True, of=OutboxRow)


def claim_due(
    conn: Connection,
    channels: Sequence[str],
    now: datetime,
    limit: int,
    lease: timedelta | None,
    only: tuple[str, str] | None = None,
) -> list[ClaimedRow]:
    """Due pending rows of these channels, oldest first, that this sender may send now.

    With `only` (a channel and chat id) just the rows of that chat's dialog are claimed.

    A row whose chat has an older row still pending (waiting for a retry, or being sent by
    another instance) waits: a customer never gets message 2 before message 1, however long
    message 1 takes to go out (across restarts too: the waiting row is in the table). With a
    `lease` (several instances on PostgreSQL) the rows are locked with SKIP LOCKED and
    pushed out of the other senders' view until the lease ends; if this process dies, another
    one sends them after the lease.
    """
    query = _DUE_LOCKED if lease is not None else _DUE
    if only is not None:
        query = query.where(of_dialog(OutboxRow.dialog_id, *only))
    rows = conn.execute(query, {"now": now, "channels": list(channels), "limit": limit}).all()
    if not rows:
        return []
    # An older row another instance is claiming right now (locked, so skipped above, yet due)
    # holds its chat too: the committed table still shows it pending.
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        first.setdefault((row.channel, row.chat_id), row.id)
    older = conn.execute(
        select(OutboxRow.channel, OutboxRow.chat_id, OutboxRow.id).where(
            OutboxRow.status == "pending",
            OutboxRow.id < max(first.values()),
            tuple_(OutboxRow.channel, OutboxRow.chat_id).in_(list(first)),
        )
    )
    held = {(c, chat) for c, chat, row_id in older if row_id < first[(c, chat)]}
    claimed = [r for r in rows if (r.channel, r.chat_id) not in held]
    if lease is not None and claimed:
        conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([r.id for r in claimed]))
            .values(next_attempt_at=now + lease)
        )
    return [
        ClaimedRow(
            r.id,
            r.dialog_id,
            r.channel,
            r.chat_id,
            r.idempotency_key,
            message_from_row(r.kind, r.payload),
            r.attempts,
            r.first_failed_at,
        )
        for r in claimed
    ]


def oldest_due(conn: Connection, channels: Sequence[str], now: datetime) -> datetime | None:
    """When the longest-waiting due row of these channels became due (None: nothing is due)."""
    return conn.execute(
        select(func.min(OutboxRow.next_attempt_at)).where(
            OutboxRow.status == "pending",
            OutboxRow.next_attempt_at <= now,
            OutboxRow.channel.in_(list(channels)),
        )
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class Delivery:
    """A row whose send is being recorded: where it went and what it said."""

    row_id: int
    dialog_id: int
    channel: str
    chat_id: str
    message: OutboxMessage


_SENT = Prepared(
    lambda _: (
        update(OutboxRow)
        .where(OutboxRow.id == bindparam("row_id"))
        .values(
            status=bindparam("status"), sent_at=bindparam("sent_at"), attempts=bindparam("attempts")
        )
    )
)


def record_outcome(conn: Connection, row: Delivery, values: dict[str, Any], now: datetime) -> None:
    """Write a send's outcome on its row; a sent message also goes into the dialog's history."""
    if values.get("status") != "sent":
        conn.execute(update(OutboxRow).where(OutboxRow.id == row.row_id).values(values))
        return
    _SENT.rowcount(conn, {"row_id": row.row_id, **values})
    if isinstance(message := row.message, CustomerMessage):
        # Outbound messages are recorded once really sent, not when planned.
        text = history_text(message.text or "", message.copy_of or None)
        author = message.manager or "bot"
        inbox.record_message(conn, row.dialog_id, row.channel, "out", author, text, now)


def record_failure(
    conn: Connection, row: Delivery, values: dict[str, Any], now: datetime, drop: str | None
) -> list[OutboxMessage]:
    """Write a failed send on its row; with a `drop` reason, drop the chat's later messages."""
    record_outcome(conn, row, values, now)
    if drop is None:
        return []
    return drop_after_block(conn, row.channel, row.chat_id, row.row_id, drop)


def set_composed(conn: Connection, row_id: int, message: OutboxMessage) -> None:
    """Store a pending row's final message (a composed text), so that a retry sends the same."""
    conn.execute(
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.status == "pending")
        .values(payload=message.to_payload())
    )


def release_rows(conn: Connection, row_ids: list[int], now: datetime) -> None:
    """Make claimed rows due again now."""
    conn.execute(update(OutboxRow).where(OutboxRow.id.in_(row_ids)).values(next_attempt_at=now))


def drop_after_block(
    conn: Connection, channel: str, chat_id: str, after_id: int, reason: str
) -> list[OutboxMessage]:
    """Mark the chat's pending messages after row `after_id` skipped; returns what they said.

    The customer cannot receive them (blocked the bot, undeliverable number): they are kept as
    `skipped` with the reason, like the replies the engine holds back for a blocked customer.
    """
    later = (
        OutboxRow.status == "pending",
        OutboxRow.kind == CustomerMessage.ROW_KIND,
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
    return [message_from_row(CustomerMessage.ROW_KIND, r.payload) for r in rows]
