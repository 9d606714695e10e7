"""Tasks, outbox rows and manager response times written by the pipeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.tables import ManagerResponseRow, OutboxRow, TaskRow
from chatbot.db.upsert import insert_for


async def create_task(
    session: AsyncSession, dialog_id: int, kind: str, reason: str, now: datetime
) -> int:
    """Create a task for managers and return its id."""
    row = TaskRow(dialog_id=dialog_id, kind=kind, reason=reason, status="open", created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def update_open_tasks(
    session: AsyncSession, dialog_id: int, status: str, manager: str | None, now: datetime
) -> int:
    """Move the dialog's unfinished tasks to `status`; returns how many changed."""
    values: dict[str, object] = {"status": status}
    if status == "taken":
        values.update(taken_at=now, manager=manager)
        current: tuple[str, ...] = ("open",)
    else:
        values["done_at"] = now
        current = ("open", "taken")
    if manager is not None:
        values["manager"] = manager
    result = await session.execute(
        update(TaskRow)
        .where(TaskRow.dialog_id == dialog_id, TaskRow.status.in_(current))
        .values(values)
    )
    return int(getattr(result, "rowcount", 0))


async def enqueue(
    session: AsyncSession,
    dialog_id: int,
    key: str,
    kind: str,
    channel: str,
    chat_id: str,
    payload: dict[str, object],
    now: datetime,
    status: str = "pending",
) -> None:
    """Add an outbox row; the idempotency key makes a replayed effect a no-op."""
    stmt = insert_for(session, OutboxRow).values(
        dialog_id=dialog_id, idempotency_key=key, kind=kind, channel=channel, chat_id=chat_id,
        payload=payload, status=status, attempts=0, next_attempt_at=now, created_at=now,
    )  # fmt: skip
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]))


async def record_response(
    session: AsyncSession, dialog_id: int, manager: str, seconds: float, breach: bool, now: datetime
) -> None:
    """Record how long a manager took to answer."""
    session.add(ManagerResponseRow(dialog_id=dialog_id, manager=manager, seconds=seconds,
                                   breach=breach, created_at=now))  # fmt: skip


async def open_tasks(session: AsyncSession) -> list[tuple[int, int, str, str, str]]:
    """(task id, dialog id, kind, reason, status) of every unfinished task."""
    rows = await session.execute(
        select(TaskRow.id, TaskRow.dialog_id, TaskRow.kind, TaskRow.reason, TaskRow.status)
        .where(TaskRow.status.in_(("open", "taken")))
        .order_by(TaskRow.id)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
