"""The report's tables beyond the headline figures: closes per day, dialogs worth a look."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, select, union_all

from chatbot.db.audit import Period
from chatbot.db.audit_sql import period_dialogs
from chatbot.db.tables import CustomerRow, DialogFactRow, DialogRow, ManagerResponseRow, TaskRow

LOOK_LIMIT = 200  # the page lists the newest of these; the CSV has them all up to this


def closes(conn: Connection, p: Period) -> list[tuple[datetime, str]]:
    """(when, reason) of every close of the period's dialogs, in time order."""
    rows = conn.execute(
        select(DialogFactRow.created_at, DialogFactRow.name)
        .where(
            DialogFactRow.kind == "closed",
            DialogFactRow.dialog_id.in_(period_dialogs(p.start, p.end)),
        )
        .order_by(DialogFactRow.created_at)
    )
    return [(at, str(reason)) for at, reason in rows]


def worth_a_look(conn: Connection, p: Period) -> list[dict[str, Any]]:
    """Spam closes, auto-closes sent to review and SLA breaches, newest first."""
    ids = period_dialogs(p.start, p.end)
    spam = select(
        DialogFactRow.dialog_id,
        DialogFactRow.created_at,
        literal("spam").label("why"),
        literal("").label("detail"),
    ).where(
        DialogFactRow.kind == "closed",
        DialogFactRow.name == "spam",
        DialogFactRow.dialog_id.in_(ids),
    )
    review = select(
        TaskRow.dialog_id,
        TaskRow.created_at,
        literal("review").label("why"),
        TaskRow.reason.label("detail"),
    ).where(TaskRow.kind == "supervisor_review", TaskRow.dialog_id.in_(ids))
    late = select(
        ManagerResponseRow.dialog_id,
        ManagerResponseRow.created_at,
        literal("breach").label("why"),
        ManagerResponseRow.manager.label("detail"),
    ).where(ManagerResponseRow.breach.is_(True), ManagerResponseRow.dialog_id.in_(ids))
    waits = (
        select(
            DialogFactRow.dialog_id,
            func.min(DialogFactRow.created_at),
            literal("wait").label("why"),
            literal("").label("detail"),
        )
        .where(DialogFactRow.kind == "wait_breach", DialogFactRow.dialog_id.in_(ids))
        .group_by(DialogFactRow.dialog_id, DialogFactRow.name)
    )
    found = union_all(spam, review, late, waits).subquery("look")
    rows = conn.execute(
        select(
            found.c.dialog_id,
            found.c.created_at,
            found.c.why,
            found.c.detail,
            CustomerRow.name,
            CustomerRow.phone,
            DialogRow.channel,
        )
        .join(DialogRow, DialogRow.id == found.c.dialog_id)
        .join(CustomerRow, CustomerRow.id == DialogRow.customer_id)
        .order_by(found.c.created_at.desc(), found.c.dialog_id.desc())
        .limit(LOOK_LIMIT)
    )
    return [
        {
            "dialog_id": int(d),
            "at": at,
            "why": str(why),
            "detail": str(detail or ""),
            "customer": str(name or ""),
            "phone": phone or "",
            "channel": str(channel),
        }
        for d, at, why, detail, name, phone, channel in rows
    ]
