"""Inbound records, deduplicated by unique keys: messages and CRM events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam

from chatbot.db.prepared import Prepared
from chatbot.db.tables import CrmEventRow, MessageRow


@dataclass(frozen=True, slots=True)
class Decision:
    """The classifier's decision stored with an inbound message."""

    intent: str
    source: str
    confidence: float


def _build_inbound(insert: Any) -> Any:
    return (
        insert(MessageRow)
        .values({c: bindparam(c) for c in _INBOUND_COLUMNS})
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )


_INBOUND = Prepared(_build_inbound)
_INBOUND_COLUMNS = (
    "dialog_id",
    "channel",
    "external_id",
    "direction",
    "author",
    "text",
    "created_at",
    "intent",
    "source",
    "confidence",
)


def record_inbound(
    conn: Connection,
    dialog_id: int,
    channel: str,
    external_id: str | None,
    text: str,
    now: datetime,
    decision: Decision | None = None,
    author: str = "customer",
) -> bool:
    """Insert an inbound message; False when (channel, external_id) was seen before."""
    changed = _INBOUND.rowcount(
        conn,
        {
            "dialog_id": dialog_id,
            "channel": channel,
            "external_id": external_id,
            "direction": "in",
            "author": author,
            "text": text,
            "created_at": now,
            "intent": decision.intent if decision else None,
            "source": decision.source if decision else None,
            "confidence": decision.confidence if decision else None,
        },
    )
    return bool(changed)


def record_message(
    conn: Connection,
    dialog_id: int,
    channel: str,
    direction: str,
    author: str,
    text: str,
    now: datetime,
) -> None:
    """Insert a message with no external id (outbound texts, manager messages)."""
    _MESSAGE.rowcount(
        conn,
        {
            "dialog_id": dialog_id,
            "channel": channel,
            "direction": direction,
            "author": author,
            "text": text,
            "created_at": now,
        },
    )


_MESSAGE = Prepared(
    lambda insert: insert(MessageRow).values(
        {
            c: bindparam(c)
            for c in ("dialog_id", "channel", "direction", "author", "text", "created_at")
        }
    )
)


def _build_crm(insert: Any) -> Any:
    return (
        insert(CrmEventRow)
        .values(
            {c: bindparam(c) for c in ("external_id", "dialog_id", "type", "data", "created_at")}
        )
        .on_conflict_do_nothing(index_elements=["external_id"])
    )


_CRM = Prepared(_build_crm)


def record_crm_event(
    conn: Connection,
    dialog_id: int,
    external_id: str | None,
    type_: str,
    data: dict[str, object],
    now: datetime,
) -> bool:
    """Insert a CRM event; False when its external id was applied before."""
    changed = _CRM.rowcount(
        conn,
        {
            "external_id": external_id,
            "dialog_id": dialog_id,
            "type": type_,
            "data": data,
            "created_at": now,
        },
    )
    return bool(changed)
