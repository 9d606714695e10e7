"""Read-only figures for reports and simulations: tasks by kind, SLA breaches by manager."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.tables import ManagerResponseRow, OutboxRow, TaskRow


@dataclass(frozen=True, slots=True)
class Counts:
    """Tasks by kind, SLA breaches by manager, and skipped outbound messages."""

    tasks: dict[str, int]
    breaches: dict[str, int]
    skipped: int


async def counts(session: AsyncSession) -> Counts:
    """Current counts over the whole database."""
    tasks = await session.execute(select(TaskRow.kind, func.count()).group_by(TaskRow.kind))
    breaches = await session.execute(
        select(ManagerResponseRow.manager, func.count())
        .where(ManagerResponseRow.breach.is_(True))
        .group_by(ManagerResponseRow.manager)
    )
    skipped = await session.scalar(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "skipped")
    )
    return Counts(
        tasks={str(k): int(n) for k, n in tasks},
        breaches={str(m): int(n) for m, n in breaches},
        skipped=int(skipped or 0),
    )
