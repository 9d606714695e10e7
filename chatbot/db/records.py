"""Tasks and manager response times written by the pipeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.prepared import Prepared
from chatbot.db.tables import ManagerResponseRow, TaskRow

UNFINISHED = ("open", "taken")


_NEW_TASK = Prepared(
    lambda insert: (
        insert(TaskRow)
        .values(
            {c: bindparam(c) for c in ("dialog_id", "kind", "reason", "created_at", "post_to")}
            | {"status": "open"}
        )
        .returning(TaskRow.id)
    )
)


def create_task(
    conn: Connection,
    dialog_id: int,
    kind: str,
    reason: str,
    now: datetime,
    post_to: str = "managers",
) -> int:
    """Create a task for managers (its card goes to `post_to`) and return its id."""
    values = {
        "dialog_id": dialog_id,
        "kind": kind,
        "reason": reason,
        "created_at": now,
        "post_to": post_to,
    }
    return int(_NEW_TASK.scalar(conn, values))


def unfinished_task_ids(conn: Connection, dialog_id: int) -> list[int]:
    """Ids of the dialog's open or taken tasks."""
    rows = conn.execute(
        select(TaskRow.id)
        .where(TaskRow.dialog_id == dialog_id, TaskRow.status.in_(UNFINISHED))
        .order_by(TaskRow.id)
    )
    return [int(r[0]) for r in rows]


def update_open_tasks(
    conn: Connection, dialog_id: int, status: str, manager: str | None, now: datetime
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
    result = conn.execute(
        update(TaskRow)
        .where(TaskRow.dialog_id == dialog_id, TaskRow.status.in_(current))
        .values(values)
    )
    return int(result.rowcount)


def record_response(
    conn: Connection, dialog_id: int, manager: str, seconds: float, breach: bool, now: datetime
) -> None:
    """Record how long a manager took to answer."""
    conn.execute(
        insert(ManagerResponseRow).values(
            dialog_id=dialog_id, manager=manager, seconds=seconds, breach=breach, created_at=now
        )
    )


async def open_tasks(session: AsyncSession) -> list[tuple[int, int, str, str, str]]:
    """(task id, dialog id, kind, reason, status) of every unfinished task."""
    rows = await session.execute(
        select(TaskRow.id, TaskRow.dialog_id, TaskRow.kind, TaskRow.reason, TaskRow.status)
        .where(TaskRow.status.in_(("open", "taken")))
        .order_by(TaskRow.id)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
