"""Timer rows: set, cancel, claim due ones atomically, and consume a firing exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.dialogs import of_dialog
from chatbot.db.prepared import Prepared
from chatbot.db.tables import DialogRow, TimerRow


@dataclass(frozen=True, slots=True)
class DueTimer:
    """A claimed timer, with the dialog it belongs to."""

    dialog_id: int
    channel: str
    chat_id: str
    name: str
    token: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class TimerSpec:
    """A timer to create or replace."""

    name: str
    token: int
    due_at: datetime
    keep_after_close: bool = False


def set_timers(conn: Connection, dialog_id: int, specs: Sequence[TimerSpec]) -> None:
    """Create or replace the dialog's timers (one statement for all of them)."""
    if not specs:
        return
    rows = [
        {
            "dialog_id": dialog_id,
            "name": t.name,
            "token": t.token,
            "due_at": t.due_at,
            "keep_after_close": t.keep_after_close,
            "claimed_until": None,
        }
        for t in specs
    ]
    _SET.many(conn, rows)


def _build_set_timers(insert: Any) -> Any:
    stmt = insert(TimerRow).values(
        {
            c: bindparam(c)
            for c in ("dialog_id", "name", "token", "due_at", "keep_after_close", "claimed_until")
        }
    )
    return stmt.on_conflict_do_update(
        index_elements=["dialog_id", "name"],
        set_={
            "token": stmt.excluded.token,
            "due_at": stmt.excluded.due_at,
            "keep_after_close": stmt.excluded.keep_after_close,
            "claimed_until": None,
        },
    )


# One name at a time: an expanding IN cannot be compiled once, and an event cancels one or two
_CANCEL = Prepared(
    lambda _: delete(TimerRow).where(
        TimerRow.dialog_id == bindparam("dialog_id"), TimerRow.name == bindparam("name")
    )
)
_SET = Prepared(_build_set_timers)
_CONSUME = Prepared(
    lambda _: delete(TimerRow).where(
        TimerRow.dialog_id == bindparam("dialog_id"),
        TimerRow.name == bindparam("name"),
        TimerRow.token == bindparam("token"),
    )
)


def cancel_timers(conn: Connection, dialog_id: int, names: Sequence[str]) -> None:
    """Delete the dialog's timers with these names."""
    if names:
        _CANCEL.many(conn, [{"dialog_id": dialog_id, "name": name} for name in names])


def consume_timer(conn: Connection, dialog_id: int, name: str, token: int) -> bool:
    """Delete the row of a firing timer; False when it was already consumed or replaced."""
    changed = _CONSUME.rowcount(conn, {"dialog_id": dialog_id, "name": name, "token": token})
    return bool(changed)


async def claim_due(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    only: tuple[str, str] | None = None,
) -> list[DueTimer]:
    """Claim up to `limit` due timers for `lease` (SKIP LOCKED on PostgreSQL), of `only` alone."""
    claimable = and_(
        TimerRow.due_at <= now,
        or_(TimerRow.claimed_until.is_(None), TimerRow.claimed_until < now),
        *_of(only),
    )
    ids = (
        select(TimerRow.id)
        .where(claimable)
        .order_by(TimerRow.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.execute(
        update(TimerRow)
        .where(TimerRow.id.in_(ids.scalar_subquery()), claimable)
        .values(claimed_until=now + lease)
        .returning(TimerRow.dialog_id, TimerRow.name, TimerRow.token, TimerRow.due_at)
    )
    rows = claimed.all()
    if not rows:
        return []
    chats = dict(
        (r[0], (r[1], r[2]))
        for r in await session.execute(
            select(DialogRow.id, DialogRow.channel, DialogRow.chat_id).where(
                DialogRow.id.in_({r[0] for r in rows})
            )
        )
    )
    due = [
        DueTimer(r[0], chats[r[0]][0], chats[r[0]][1], r[1], r[2], r[3])
        for r in rows
        if r[0] in chats
    ]
    return sorted(due, key=lambda t: (t.due_at, t.dialog_id, t.name))


def release(conn: Connection, claimed: Sequence[DueTimer]) -> None:
    """Give back the claims of timers that were not fired: they are due again at once."""
    for timer in claimed:
        conn.execute(
            update(TimerRow)
            .where(
                TimerRow.dialog_id == timer.dialog_id,
                TimerRow.name == timer.name,
                TimerRow.token == timer.token,
            )
            .values(claimed_until=None)
        )


async def next_due(
    session: AsyncSession, now: datetime, only: tuple[str, str] | None = None
) -> datetime | None:
    """The earliest due time of the timers not leased at `now`, of the chat `only` alone if set."""
    free = or_(TimerRow.claimed_until.is_(None), TimerRow.claimed_until < now)
    query = select(func.min(TimerRow.due_at)).where(free, *_of(only))
    value: datetime | None = await session.scalar(query)
    return value


def _of(only: tuple[str, str] | None) -> list[ColumnElement[bool]]:
    """The condition keeping the timers of the chat `only` (channel, chat id), if one is set."""
    return [] if only is None else [of_dialog(TimerRow.dialog_id, *only)]
