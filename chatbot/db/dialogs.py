"""Customers and dialogs: find or create, lock for the event, load and save engine state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chatbot.core.state import DialogState
from chatbot.db.tables import CustomerRow, DialogRow
from chatbot.db.upsert import insert_for


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """What a channel knows about the person writing."""

    name: str = ""
    phone: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class DialogRecord:
    """A dialog as the pipeline needs it (never an ORM row)."""

    id: int
    customer_id: int
    channel: str
    chat_id: str
    state: DialogState
    customer_name: str
    phone: str | None


async def lock_dialog(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    customer: CustomerInfo,
    now: datetime,
    default_lang: str,
) -> DialogRecord:
    """Find or create the dialog and lock its row until the transaction ends."""
    row = await _select_for_update(session, channel, chat_id)
    if row is None:
        customer_id = await _find_or_create_customer(session, customer, now)
        lang = customer.lang or default_lang
        state = DialogState(channel=channel, lang=lang)
        stmt = insert_for(session, DialogRow).values(
            customer_id=customer_id, channel=channel, chat_id=chat_id, stage=state.stage,
            closed=False, paused=False, flags="", lang=lang, state=state.to_json(),
            created_at=now, updated_at=now,
        )  # fmt: skip
        await session.execute(stmt.on_conflict_do_nothing(index_elements=["channel", "chat_id"]))
        row = await _select_for_update(session, channel, chat_id)
        assert row is not None
    elif customer.phone or customer.name:
        await _learn_customer(session, row.customer_id, customer)
    cust = await session.get(CustomerRow, row.customer_id)
    return DialogRecord(
        id=row.id,
        customer_id=row.customer_id,
        channel=row.channel,
        chat_id=row.chat_id,
        state=DialogState.from_json(row.state),
        customer_name=cust.name if cust is not None else "",
        phone=cust.phone if cust is not None else None,
    )


async def _select_for_update(session: AsyncSession, channel: str, chat_id: str) -> DialogRow | None:
    stmt = (
        select(DialogRow)
        .where(DialogRow.channel == channel, DialogRow.chat_id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _find_or_create_customer(session: AsyncSession, info: CustomerInfo, now: datetime) -> int:
    if info.phone:
        found = await session.scalar(
            select(CustomerRow.id).where(CustomerRow.phone == info.phone).limit(1)
        )
        if found is not None:
            return int(found)
    row = CustomerRow(phone=info.phone, name=info.name, lang=info.lang, created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def _learn_customer(session: AsyncSession, customer_id: int, info: CustomerInfo) -> None:
    values: dict[str, str] = {}
    if info.phone:
        values["phone"] = info.phone
    if info.name:
        values["name"] = info.name
    await session.execute(update(CustomerRow).where(CustomerRow.id == customer_id).values(values))


async def save_state(
    session: AsyncSession, dialog_id: int, state: DialogState, now: datetime
) -> None:
    """Write the engine's new state and its queryable columns."""
    await session.execute(
        update(DialogRow)
        .where(DialogRow.id == dialog_id)
        .values(
            stage=state.stage,
            closed=state.closed,
            close_reason=state.close_reason,
            paused=state.paused,
            flags=",".join(sorted(state.flags)),
            lang=state.lang,
            state=state.to_json(),
            last_inbound_at=state.last_inbound_at,
            updated_at=now,
        )
    )


async def last_inbound_elsewhere(
    session: AsyncSession, customer_id: int, dialog_id: int
) -> datetime | None:
    """When the customer last wrote in any of their other dialogs."""
    value = await session.scalar(
        select(func.max(DialogRow.last_inbound_at)).where(
            DialogRow.customer_id == customer_id, DialogRow.id != dialog_id
        )
    )
    return value  # max() keeps the column type, so the value is an aware UTC datetime


async def find_dialogs_by_phone(session: AsyncSession, phone: str) -> list[tuple[str, str]]:
    """(channel, chat_id) of the dialogs of the customer with this phone, newest first."""
    rows = await session.execute(
        select(DialogRow.channel, DialogRow.chat_id)
        .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
        .where(CustomerRow.phone == phone)
        .order_by(DialogRow.updated_at.desc())
    )
    return [(r[0], r[1]) for r in rows]
