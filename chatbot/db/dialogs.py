"""Customers and dialogs: load a snapshot, create, lock, and save engine state by version."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from chatbot.core.phones import normalize_phone
from chatbot.core.state import DialogState
from chatbot.db.prepared import Prepared
from chatbot.db.tables import CustomerRow, DialogRow
from chatbot.ports.inbound import CustomerInfo


@dataclass(frozen=True, slots=True)
class DialogRecord:
    """A dialog as the pipeline needs it (never an ORM row)."""

    id: int
    customer_id: int
    channel: str
    chat_id: str
    state: DialogState
    version: int
    customer_name: str
    phone: str | None
    other_last_inbound_at: datetime | None


_other = aliased(DialogRow)
_LOAD = (
    select(
        DialogRow.id,
        DialogRow.customer_id,
        DialogRow.state,
        DialogRow.version,
        CustomerRow.name,
        CustomerRow.phone,
        select(func.max(_other.last_inbound_at))
        .where(_other.customer_id == DialogRow.customer_id, _other.id != DialogRow.id)
        .scalar_subquery()
        .label("other_last"),
    )
    .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
    .where(DialogRow.channel == bindparam("channel"), DialogRow.chat_id == bindparam("chat_id"))
)
_SAVE = Prepared(
    lambda _: (
        update(DialogRow)
        .where(DialogRow.id == bindparam("dialog_id"), DialogRow.version == bindparam("expected"))
        .values(
            stage=bindparam("stage"),
            closed=bindparam("closed"),
            close_reason=bindparam("close_reason"),
            closed_at=bindparam("closed_at"),
            paused=bindparam("paused"),
            flags=bindparam("flags"),
            lang=bindparam("lang"),
            state=bindparam("state"),
            version=bindparam("version"),
            last_inbound_at=bindparam("last_inbound_at"),
            updated_at=bindparam("now"),
        )
    )
)


def load_dialog(conn: Connection, channel: str, chat_id: str) -> DialogRecord | None:
    """The dialog's snapshot (one query), or None when it does not exist yet."""
    row = conn.execute(_LOAD, {"channel": channel, "chat_id": chat_id}).first()
    if row is None:
        return None
    return DialogRecord(
        id=row.id,
        customer_id=row.customer_id,
        channel=channel,
        chat_id=chat_id,
        state=DialogState.from_json(row.state),
        version=row.version,
        customer_name=row.name,
        phone=row.phone,
        other_last_inbound_at=row.other_last,
    )


def create_dialog(
    conn: Connection,
    channel: str,
    chat_id: str,
    customer: CustomerInfo,
    now: datetime,
    default_lang: str,
) -> DialogRecord | None:
    """Insert a new dialog (and its customer, matched by phone); None if it exists already."""
    customer = replace(customer, phone=normalize_phone(customer.phone))
    customer_id, other_last = _customer_for(conn, customer, now)
    state = DialogState(channel=channel, lang=customer.lang or default_lang)
    values = {
        "customer_id": customer_id,
        "channel": channel,
        "chat_id": chat_id,
        "stage": state.stage,
        "closed": False,
        "paused": False,
        "flags": "",
        "lang": state.lang,
        "state": state.to_json(),
        "version": 0,
        "created_at": now,
        "updated_at": now,
    }
    new_id = _NEW_DIALOG.scalar(conn, values)
    if new_id is None:
        return None
    return DialogRecord(
        new_id, customer_id, channel, chat_id, state, 0, customer.name, customer.phone, other_last
    )


def _build_new_dialog(insert: Any) -> Any:
    columns = (
        "customer_id",
        "channel",
        "chat_id",
        "stage",
        "closed",
        "paused",
        "flags",
        "lang",
        "state",
        "version",
        "created_at",
        "updated_at",
    )
    return (
        insert(DialogRow)
        .values({c: bindparam(c) for c in columns})
        .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
        .returning(DialogRow.id)
    )


_NEW_DIALOG = Prepared(_build_new_dialog)
_NEW_CUSTOMER = Prepared(
    lambda insert: (
        insert(CustomerRow)
        .values({c: bindparam(c) for c in ("phone", "name", "lang", "created_at")})
        .returning(CustomerRow.id)
    )
)


def _customer_for(
    conn: Connection, info: CustomerInfo, now: datetime
) -> tuple[int, datetime | None]:
    """The customer with this phone (and when they last wrote anywhere), or a new one."""
    if info.phone:
        found = conn.scalar(select(CustomerRow.id).where(CustomerRow.phone == info.phone).limit(1))
        if found is not None:
            last = conn.scalar(
                select(func.max(DialogRow.last_inbound_at)).where(DialogRow.customer_id == found)
            )
            return int(found), last
    values = {"phone": info.phone, "name": info.name, "lang": info.lang, "created_at": now}
    return int(_NEW_CUSTOMER.scalar(conn, values)), None


def lock_dialog(conn: Connection, dialog_id: int) -> int | None:
    """Lock the dialog's row until the transaction ends; returns its version."""
    stmt = select(DialogRow.version).where(DialogRow.id == dialog_id).with_for_update()
    version: int | None = conn.scalar(stmt)
    return version


def learn_customer(conn: Connection, customer_id: int, info: CustomerInfo) -> int:
    """Remember a phone or name the channel told us (e.g. a shared contact).

    When the phone already belongs to another customer, this is the same person writing from
    another channel: their dialogs join that customer, so rules that look at "other dialogs"
    and the reports see one person. Returns the customer id the dialog belongs to now.
    """
    phone = normalize_phone(info.phone)
    if phone is not None:
        other = conn.scalar(
            select(CustomerRow.id)
            .where(CustomerRow.phone == phone, CustomerRow.id != customer_id)
            .order_by(CustomerRow.id)
            .limit(1)
        )
        if other is not None:
            _merge_customer(conn, customer_id, int(other), info.name)
            return int(other)
    values = {k: v for k, v in (("phone", phone), ("name", info.name)) if v}
    if values:
        conn.execute(update(CustomerRow).where(CustomerRow.id == customer_id).values(values))
    return customer_id


def _merge_customer(conn: Connection, source: int, target: int, name: str) -> None:
    """Move every dialog of `source` to `target` and drop `source` (kept: the older row)."""
    conn.execute(
        update(DialogRow).where(DialogRow.customer_id == source).values(customer_id=target)
    )
    if name:
        # The person's name from the channel fills a gap, never overwrites a known one.
        conn.execute(
            update(CustomerRow)
            .where(CustomerRow.id == target, CustomerRow.name == "")
            .values(name=name)
        )
    conn.execute(delete(CustomerRow).where(CustomerRow.id == source))


def save_state(
    conn: Connection, dialog_id: int, state: DialogState, expected: int, now: datetime
) -> bool:
    """Write the new state if the dialog is still at version `expected`."""
    changed = _SAVE.rowcount(
        conn,
        {
            "dialog_id": dialog_id,
            "expected": expected,
            "stage": state.stage,
            "closed": state.closed,
            "close_reason": state.close_reason,
            "closed_at": state.closed_at,
            "paused": state.paused,
            "flags": ",".join(sorted(state.flags)),
            "lang": state.lang,
            "state": state.to_json(),
            "version": state.version,
            "last_inbound_at": state.last_inbound_at,
            "now": now,
        },
    )
    return bool(changed)


async def find_dialogs_by_phone(session: AsyncSession, phone: str) -> list[tuple[str, str]]:
    """(channel, chat_id) of the dialogs of the customer with this phone, newest first."""
    phone = normalize_phone(phone) or phone
    rows = await session.execute(
        select(DialogRow.channel, DialogRow.chat_id)
        .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
        .where(CustomerRow.phone == phone)
        .order_by(DialogRow.updated_at.desc())
    )
    return [(r[0], r[1]) for r in rows]


async def dialog_exists(session: AsyncSession, channel: str, chat_id: str) -> bool:
    """Whether this chat has a dialog (the customer wrote, or was written to, before)."""
    found = await session.scalar(
        select(DialogRow.id).where(DialogRow.channel == channel, DialogRow.chat_id == chat_id)
    )
    return found is not None


def of_dialog(
    dialog_id: InstrumentedAttribute[int], channel: str, chat_id: str
) -> ColumnElement[bool]:
    """A condition on a row's `dialog_id`: it belongs to the dialog of this chat."""
    ids = select(DialogRow.id).where(DialogRow.channel == channel, DialogRow.chat_id == chat_id)
    return dialog_id.in_(ids)


def count_other_dialogs(conn: Connection, channel: str, chat_id: str) -> int:
    """How many dialogs the database holds besides the one of this chat."""
    mine = (DialogRow.channel == channel) & (DialogRow.chat_id == chat_id)
    return int(conn.scalar(select(func.count()).select_from(DialogRow).where(~mine)) or 0)
