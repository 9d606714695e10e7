"""A dialog's recent messages, oldest first, as the LLM writer and its guard read them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.core.nudge import DialogLine
from chatbot.db.tables import MessageRow


async def recent_messages(session: AsyncSession, dialog_id: int, limit: int) -> list[DialogLine]:
    """The last `limit` messages to and from the customer (a manager's text counts once)."""
    if limit <= 0:
        return []
    rows = await session.execute(
        select(MessageRow.direction, MessageRow.text)
        .where(
            MessageRow.dialog_id == dialog_id,
            # A manager's text is stored as it comes in and again once delivered: keep the latter.
            or_(MessageRow.direction == "out", MessageRow.author == "customer"),
        )
        .order_by(MessageRow.id.desc())
        .limit(limit)
    )
    lines = [DialogLine(direction == "in", text or "") for direction, text in rows]
    return lines[::-1]
