"""Inbound records, deduplicated by unique keys: messages and CRM events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.tables import CrmEventRow, MessageRow
from chatbot.db.upsert import insert_for


async def record_inbound(
    session: AsyncSession,
    dialog_id: int,
    channel: str,
    external_id: str | None,
    text: str,
    now: datetime,
) -> int | None:
    """Insert an inbound message; None when (channel, external_id) was seen before."""
    stmt = (
        insert_for(session, MessageRow)
        .values(dialog_id=dialog_id, channel=channel, external_id=external_id, direction="in",
                author="customer", text=text, created_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(MessageRow.id)
    )  # fmt: skip
    return (await session.execute(stmt)).scalar_one_or_none()


async def record_message(
    session: AsyncSession,
    dialog_id: int,
    channel: str,
    direction: str,
    author: str,
    text: str,
    now: datetime,
) -> None:
    """Insert a message with no external id (outbound texts, manager messages)."""
    session.add(MessageRow(dialog_id=dialog_id, channel=channel, direction=direction,
                           author=author, text=text, created_at=now))  # fmt: skip


async def set_classification(
    session: AsyncSession, message_id: int, intent: str, source: str, confidence: float
) -> None:
    """Store the classifier's decision on the inbound message."""
    row = await session.get(MessageRow, message_id)
    if row is not None:
        row.intent, row.source, row.confidence = intent, source, confidence


async def record_crm_event(
    session: AsyncSession,
    dialog_id: int,
    external_id: str | None,
    type_: str,
    data: dict[str, object],
    now: datetime,
) -> bool:
    """Insert a CRM event; False when its external id was applied before."""
    stmt = (
        insert_for(session, CrmEventRow)
        .values(external_id=external_id, dialog_id=dialog_id, type=type_, data=data,
                created_at=now)
        .on_conflict_do_nothing(index_elements=["external_id"])
        .returning(CrmEventRow.id)
    )  # fmt: skip
    return (await session.execute(stmt)).scalar_one_or_none() is not None
