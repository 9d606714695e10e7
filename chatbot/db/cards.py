"""Task cards in the managers' chat: what a card shows, where it went, what a reply targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.db.prepared import Prepared
from chatbot.db.records import UNFINISHED as UNFINISHED  # cards show these statuses' buttons
from chatbot.db.tables import CustomerRow, DialogRow, ManagerPostRow, MessageRow, TaskRow


@dataclass(frozen=True, slots=True)
class TaskCard:
    """A task with its dialog and customer, as a card shows it."""

    task_id: int
    dialog_id: int
    kind: str
    reason: str
    status: str
    manager: str | None
    created_at: datetime
    channel: str
    chat_id: str
    stage: str
    customer_name: str
    phone: str | None
    card_chat_id: str | None
    card_message_id: int | None
    post_to: str = "managers"  # the chat its card goes to: managers | supervisor


@dataclass(frozen=True, slots=True)
class Line:
    """One message of the dialog's recent history."""

    direction: str
    author: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Post:
    """A bot message in a managers' chat tied to a dialog (and maybe to one task)."""

    chat_id: str
    message_id: int
    dialog_id: int
    task_id: int | None
    kind: str
    buttons: bool = False


@dataclass(frozen=True, slots=True)
class DialogRef:
    """Where a dialog's customer is: enough to hand the pipeline an event for them."""

    dialog_id: int
    channel: str
    chat_id: str
    customer_name: str
    phone: str | None
    stage: str


_CARD = (
    select(
        TaskRow.id,
        TaskRow.dialog_id,
        TaskRow.kind,
        TaskRow.reason,
        TaskRow.status,
        TaskRow.manager,
        TaskRow.created_at,
        DialogRow.channel,
        DialogRow.chat_id,
        DialogRow.stage,
        CustomerRow.name,
        CustomerRow.phone,
        TaskRow.card_chat_id,
        TaskRow.card_message_id,
        TaskRow.post_to,
    )
    .join(DialogRow, DialogRow.id == TaskRow.dialog_id)
    .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
)


def _card(row: Any) -> TaskCard:
    return TaskCard(*row)


async def task_card(session: AsyncSession, task_id: int) -> TaskCard | None:
    """The card of one task, or None when there is no such task."""
    row = (await session.execute(_CARD.where(TaskRow.id == task_id))).first()
    return _card(row) if row is not None else None


async def cards(
    session: AsyncSession,
    *,
    dialog_id: int | None = None,
    task_ids: Sequence[int] | None = None,
    statuses: Sequence[str] = UNFINISHED,
) -> list[TaskCard]:
    """Cards of tasks in these statuses (of one dialog, or with these ids), oldest first."""
    stmt = _CARD.where(TaskRow.status.in_(list(statuses))).order_by(TaskRow.id)
    if dialog_id is not None:
        stmt = stmt.where(TaskRow.dialog_id == dialog_id)
    if task_ids is not None:
        stmt = stmt.where(TaskRow.id.in_(list(task_ids)))
    return [_card(r) for r in await session.execute(stmt)]


async def has_tasks(session: AsyncSession, dialog_id: int) -> bool:
    """Whether the dialog ever had a task."""
    found = await session.scalar(select(TaskRow.id).where(TaskRow.dialog_id == dialog_id).limit(1))
    return found is not None


async def last_lines(session: AsyncSession, dialog: DialogRef, limit: int = 5) -> list[Line]:
    """The dialog's latest messages with the customer, oldest first."""
    rows = await session.execute(
        select(MessageRow.direction, MessageRow.author, MessageRow.text, MessageRow.created_at)
        # Only the customer's channel: manager events keep their dedupe rows under another one.
        .where(MessageRow.dialog_id == dialog.dialog_id, MessageRow.channel == dialog.channel)
        .order_by(MessageRow.id.desc())
        .limit(limit)
    )
    return [Line(*r) for r in reversed(list(rows))]


async def dialog_ref(session: AsyncSession, dialog_id: int) -> DialogRef | None:
    """Channel, chat and customer of a dialog."""
    row = (
        await session.execute(
            select(
                DialogRow.id,
                DialogRow.channel,
                DialogRow.chat_id,
                CustomerRow.name,
                CustomerRow.phone,
                DialogRow.stage,
            )
            .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
            .where(DialogRow.id == dialog_id)
        )
    ).first()
    return DialogRef(*row) if row is not None else None


async def remember_card(session: AsyncSession, task_id: int, chat_id: str, message_id: int) -> None:
    """Note where the task's card was posted."""
    await session.execute(
        update(TaskRow)
        .where(TaskRow.id == task_id)
        .values(card_chat_id=chat_id, card_message_id=message_id)
    )


def _build_post(insert: Any) -> Any:
    columns = ("chat_id", "message_id", "dialog_id", "task_id", "kind", "buttons", "created_at")
    return (
        insert(ManagerPostRow)
        .values({c: bindparam(c) for c in columns})
        .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
    )


_POST = Prepared(_build_post)


async def record_post(session: AsyncSession, post: Post, now: datetime) -> None:
    """Remember a bot message in a managers' chat (a repeat of the same message is a no-op)."""
    conn = await session.connection()
    await conn.execute(
        _POST.statement(conn.dialect),
        {
            "chat_id": post.chat_id,
            "message_id": post.message_id,
            "dialog_id": post.dialog_id,
            "task_id": post.task_id,
            "kind": post.kind,
            "buttons": post.buttons,
            "created_at": now,
        },
    )


async def find_post(session: AsyncSession, chat_id: str, message_id: int) -> Post | None:
    """The post behind a message of a managers' chat, if the bot posted it for a dialog."""
    row = (
        await session.execute(
            select(
                ManagerPostRow.chat_id,
                ManagerPostRow.message_id,
                ManagerPostRow.dialog_id,
                ManagerPostRow.task_id,
                ManagerPostRow.kind,
                ManagerPostRow.buttons,
            ).where(ManagerPostRow.chat_id == chat_id, ManagerPostRow.message_id == message_id)
        )
    ).first()
    return Post(*row) if row is not None else None


async def buttoned_posts(session: AsyncSession, task_id: int) -> list[Post]:
    """Posts of a task that carry its buttons (the card, re-announcements, escalations)."""
    rows = await session.execute(
        select(
            ManagerPostRow.chat_id,
            ManagerPostRow.message_id,
            ManagerPostRow.dialog_id,
            ManagerPostRow.task_id,
            ManagerPostRow.kind,
            ManagerPostRow.buttons,
        )
        .where(ManagerPostRow.task_id == task_id, ManagerPostRow.buttons.is_(True))
        .order_by(ManagerPostRow.id)
    )
    return [Post(*r) for r in rows]
