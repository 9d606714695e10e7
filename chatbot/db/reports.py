"""Read-only figures for reports, simulations and /sla: tasks, alerts, managers' answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
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


@dataclass(frozen=True, slots=True)
class ManagerFigures:
    """One manager's answers since a moment: how many, how fast, how many too late."""

    manager: str
    answers: int
    average_seconds: float
    longest_seconds: float
    breaches: int


async def responses_since(session: AsyncSession, since: datetime) -> list[ManagerFigures]:
    """Response times per manager since `since`, slowest average first."""
    rows = await session.execute(
        select(
            ManagerResponseRow.manager,
            func.count(),
            func.avg(ManagerResponseRow.seconds),
            func.max(ManagerResponseRow.seconds),
            func.sum(case((ManagerResponseRow.breach.is_(True), 1), else_=0)),
        )
        .where(ManagerResponseRow.created_at >= since)
        .group_by(ManagerResponseRow.manager)
    )
    figures = [
        ManagerFigures(str(m), int(n), float(avg or 0), float(top or 0), int(late or 0))
        for m, n, avg, top, late in rows
    ]
    return sorted(figures, key=lambda f: (-f.average_seconds, f.manager))


async def alerts_since(session: AsyncSession, since: datetime) -> dict[str, int]:
    """SLA alerts raised since `since`, by kind (sla, supervisor)."""
    rows = await session.execute(
        select(OutboxRow.chat_id, func.count())
        .where(OutboxRow.kind == "alert", OutboxRow.created_at >= since)
        .group_by(OutboxRow.chat_id)
    )
    return {str(kind): int(n) for kind, n in rows}


async def managers_active_since(session: AsyncSession, since: datetime) -> list[str]:
    """Managers who took a task or answered a customer since `since`, by name."""
    took = await session.execute(
        select(TaskRow.manager).where(TaskRow.taken_at >= since, TaskRow.manager.is_not(None))
    )
    answered = await session.execute(
        select(ManagerResponseRow.manager).where(ManagerResponseRow.created_at >= since)
    )
    return sorted({str(m) for (m,) in took} | {str(m) for (m,) in answered})
