"""The report's outcome figures: payments, ratings, WhatsApp templates, the LLM (§3.5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from chatbot.db.audit import DETRACTOR, PROMOTER, Period
from chatbot.db.audit_sql import count_where, period_dialogs
from chatbot.db.tables import CrmEventRow, DialogFactRow, MessageRow, OutboxRow, TaskRow


def payments(conn: Connection, p: Period) -> dict[str, int]:
    """Orders created; reminded before paid; paid after a reminder; overdue tasks.

    Orders of one dialog are taken one after another: an order's reminders and payment are
    the dialog's between its creation and the next order's.
    """
    ids = period_dialogs(p.start, p.end)
    order = CrmEventRow.__table__.alias("o")
    other = CrmEventRow.__table__.alias("other")
    paid = CrmEventRow.__table__.alias("paid")
    fact = DialogFactRow.__table__.alias("f")
    next_order = (
        select(func.min(other.c.created_at))
        .where(
            other.c.dialog_id == order.c.dialog_id,
            other.c.type == "order_created",
            other.c.created_at > order.c.created_at,
        )
        .correlate_except(other)  # used two queries in: auto-correlation looks one out
        .scalar_subquery()
    )
    paid_at = (
        select(func.min(paid.c.created_at))
        .where(
            paid.c.dialog_id == order.c.dialog_id,
            paid.c.type == "order_paid",
            paid.c.created_at >= order.c.created_at,
            or_(next_order.is_(None), paid.c.created_at < next_order),
        )
        .correlate_except(paid)
        .scalar_subquery()
    )
    reminded = (
        select(fact.c.id)
        .where(
            fact.c.dialog_id == order.c.dialog_id,
            fact.c.kind == "reminder",
            fact.c.created_at >= order.c.created_at,
            or_(paid_at.is_(None), fact.c.created_at < paid_at),
            or_(next_order.is_(None), fact.c.created_at < next_order),
        )
        .correlate_except(fact)
        .exists()
    )
    row = conn.execute(
        select(
            func.count(), count_where(reminded), count_where(and_(reminded, paid_at.is_not(None)))
        ).where(order.c.type == "order_created", order.c.dialog_id.in_(ids))
    ).one()
    overdue = conn.scalar(
        select(func.count()).where(TaskRow.kind == "payment_overdue", TaskRow.dialog_id.in_(ids))
    )
    return {
        "orders": int(row[0]),
        "reminded": int(row[1]),
        "paid_after_reminder": int(row[2]),
        "overdue_tasks": int(overdue or 0),
    }


def nps(conn: Connection, p: Period) -> dict[str, Any]:
    """Ratings given (0-10): how many, their average, promoters (9-10), detractors (0-6)."""
    score = DialogFactRow.value
    row = conn.execute(
        select(
            func.count(),
            func.avg(score),
            count_where(score >= PROMOTER),
            count_where(score <= DETRACTOR),
        ).where(
            DialogFactRow.kind == "rating",
            DialogFactRow.dialog_id.in_(period_dialogs(p.start, p.end)),
        )
    ).one()
    answers = int(row[0])
    promoters, detractors = int(row[2]), int(row[3])
    score_ = round(100 * (promoters - detractors) / answers) if answers else None
    average = None if row[1] is None else round(float(row[1]), 2)
    return {
        "answers": answers,
        "average": average,
        "promoters": promoters,
        "detractors": detractors,
        "score": score_,
    }


def whatsapp(conn: Connection, p: Period) -> dict[str, int]:
    """Approved templates sent, and proactive messages skipped (no template, do_not_write)."""
    ids = period_dialogs(p.start, p.end)
    templates = conn.scalar(
        select(func.count()).where(
            DialogFactRow.kind == "template", DialogFactRow.dialog_id.in_(ids)
        )
    )
    skipped = conn.scalar(
        select(func.count()).where(OutboxRow.status == "skipped", OutboxRow.dialog_id.in_(ids))
    )
    return {"templates": int(templates or 0), "skipped": int(skipped or 0)}


def llm(conn: Connection, p: Period) -> dict[str, Any]:
    """Customer messages the LLM was asked about (decided, or failed and the rules stood)."""
    ids = period_dialogs(p.start, p.end)
    row = conn.execute(
        select(func.count(), count_where(MessageRow.source == "llm")).where(
            MessageRow.dialog_id.in_(ids),
            MessageRow.direction == "in",
            MessageRow.author == "customer",
        )
    ).one()
    fallbacks = int(
        conn.scalar(
            select(func.count()).where(
                DialogFactRow.kind == "llm_fallback", DialogFactRow.dialog_id.in_(ids)
            )
        )
        or 0
    )
    messages, decided = int(row[0]), int(row[1])
    calls = decided + fallbacks
    share = round(calls / messages, 3) if messages else 0.0
    return {"calls": calls, "share": share, "fallbacks": fallbacks}
