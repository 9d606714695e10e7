"""Claiming due outbox rows: each row to one sender, and a chat's rows strictly in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

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


async def claim_due(
    session: AsyncSession,
    channels: Sequence[str],
    now: datetime,
    limit: int,
    lease: timedelta | None,
) -> list[ClaimedRow]:
    """Due pending rows of these channels, oldest first, that this sender may send now.

    A row whose chat has an older row still pending (waiting for a retry, or being sent by
    another instance) waits: a customer never gets message 2 before message 1. With a
    `lease` (several instances on PostgreSQL) the rows are locked with SKIP LOCKED and
    pushed out of the other senders' view until the lease ends; if this process dies, another
    one sends them after the lease.
    """
    query = (
        select(OutboxRow)
        .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now,
               OutboxRow.channel.in_(list(channels)))
        .order_by(OutboxRow.id)
        .limit(limit)
    )  # fmt: skip
    if lease is not None:
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.execute(query)).scalars())
    if not rows:
        return []
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        first.setdefault((row.channel, row.chat_id), row.id)
    older = await session.execute(
        select(OutboxRow.channel, OutboxRow.chat_id, OutboxRow.id).where(
            OutboxRow.status == "pending",
            OutboxRow.id < max(first.values()),
            tuple_(OutboxRow.channel, OutboxRow.chat_id).in_(list(first)),
        )
    )
    held = {(c, chat) for c, chat, row_id in older if row_id < first[(c, chat)]}
    claimed = [r for r in rows if (r.channel, r.chat_id) not in held]
    if lease is not None and claimed:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([r.id for r in claimed]))
            .values(next_attempt_at=now + lease)
        )
    return [ClaimedRow(r.id, r.dialog_id, r.channel, r.chat_id, r.kind, r.idempotency_key,
                       dict(r.payload), r.attempts) for r in claimed]  # fmt: skip
