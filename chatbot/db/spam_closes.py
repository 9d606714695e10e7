"""Dialogs closed as spam, for managers to review: who, where, when, and what they wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.tables import CustomerRow, DialogRow, MessageRow

SPAM = "spam"  # the close reason
SPAMMER = "spammer"  # the flag that keeps the customer unanswered


@dataclass(frozen=True, slots=True)
class SpamClose:
    """A dialog closed as spam, with the customer's message the close came with."""

    dialog_id: int
    channel: str
    chat_id: str
    customer_name: str
    closed_at: datetime
    text: str  # "" when no message of the customer was stored
    cleared: bool  # a manager found it no spam: the customer is served again


# The customer's last message up to the close: the one the spam rule judged. (A dialog reopens
# in place, so its very first message may be from an earlier conversation.) Messages stored
# in the same instant as the close (a virtual clock) came with it or after it: the first wins.
_TEXT = (
    select(MessageRow.text)
    .where(
        MessageRow.dialog_id == DialogRow.id,
        MessageRow.channel == DialogRow.channel,  # manager events keep theirs under another
        MessageRow.direction == "in",
        MessageRow.created_at <= DialogRow.closed_at,
    )
    .order_by(MessageRow.created_at.desc(), MessageRow.id)
    .limit(1)
    .scalar_subquery()
)
_IS_SPAM = (
    DialogRow.closed.is_(True),
    DialogRow.close_reason == SPAM,
    DialogRow.closed_at.is_not(None),
)
_CLOSES = (
    select(DialogRow.id, DialogRow.channel, DialogRow.chat_id, CustomerRow.name)
    .add_columns(DialogRow.closed_at, _TEXT, DialogRow.flags)
    .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
    .where(*_IS_SPAM)
)


def _close(row: Any) -> SpamClose:
    dialog_id, channel, chat_id, name, closed_at, text, flags = row
    cleared = SPAMMER not in str(flags).split(",")
    return SpamClose(dialog_id, channel, chat_id, name, closed_at, text or "", cleared)


async def spam_closes(
    session: AsyncSession, since: datetime, limit: int
) -> tuple[list[SpamClose], int]:
    """Dialogs closed as spam since `since`, newest first, at most `limit`; and how many in all."""
    order = (DialogRow.closed_at.desc(), DialogRow.id.desc())
    rows = await session.execute(
        _CLOSES.where(DialogRow.closed_at >= since).order_by(*order).limit(limit)
    )
    total = await session.scalar(
        select(func.count()).select_from(DialogRow).where(*_IS_SPAM, DialogRow.closed_at >= since)
    )
    return [_close(r) for r in rows], int(total or 0)


async def spam_close(session: AsyncSession, dialog_id: int) -> SpamClose | None:
    """The dialog if it is closed as spam now; None once it reopened (or was never spam)."""
    row = (await session.execute(_CLOSES.where(DialogRow.id == dialog_id))).first()
    return _close(row) if row is not None else None
