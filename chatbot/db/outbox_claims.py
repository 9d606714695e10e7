"""Claiming due outbox rows: each row to one sender, and a chat's rows strictly in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, select, tuple_, update
from sqlalchemy.orm import aliased

from chatbot.db.dialogs import of_dialog
from chatbot.db.tables import OutboxRow


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """An outbox row handed to a sender (never the ORM row itself)."""

    id: int
    dialog_id: int
    channel: str
    chat_id: str
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
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
    select(OutboxRow.id, OutboxRow.dialog_id, OutboxRow.channel, OutboxRow.chat_id,
           OutboxRow.kind, OutboxRow.idempotency_key, OutboxRow.payload, OutboxRow.attempts,
           OutboxRow.first_failed_at)
    .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= bindparam("now"),
           OutboxRow.channel.in_(bindparam("channels", expanding=True)), ~_WAITING)
    .order_by(OutboxRow.id)
    .limit(bindparam("limit"))
)  # fmt: skip
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
            r.kind,
            r.idempotency_key,
            dict(r.payload),
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
