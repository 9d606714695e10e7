"""The report's figures (DESIGN.md §3.5), each one SQL statement that SQLite and PostgreSQL run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from chatbot.db.audit_sql import (
    count_where,
    has_event,
    has_fact,
    has_task,
    nearest_rank,
    period_dialogs,
    seconds_between,
)
from chatbot.db.tables import (
    CrmEventRow,
    DialogFactRow,
    DialogRow,
    ManagerResponseRow,
    MessageRow,
    OutboxRow,
    TaskRow,
)

CLOSE_REASONS = ("spam", "thanks", "no_reply", "bot_blocked", "refused", "completed", "manual")
PROMOTER, DETRACTOR = 9, 6  # NPS: 9-10 promote, 0-6 detract


@dataclass(frozen=True, slots=True)
class Period:
    """Dialogs started in [start, end), UTC."""

    start: datetime
    end: datetime


def dialogs(conn: Connection, p: Period) -> dict[str, Any]:
    """New dialogs, spam, closes by reason (a dialog closed twice counts twice)."""
    ids = period_dialogs(p.start, p.end)
    new = int(conn.scalar(select(func.count()).select_from(ids.subquery())) or 0)
    rows = conn.execute(
        select(DialogFactRow.name, func.count())
        .where(DialogFactRow.kind == "closed", DialogFactRow.dialog_id.in_(ids))
        .group_by(DialogFactRow.name)
    )
    closed = dict.fromkeys(CLOSE_REASONS, 0) | {str(r): int(n) for r, n in rows}
    spam = int(
        conn.scalar(
            select(func.count())
            .select_from(DialogRow)
            .where(DialogRow.id.in_(ids), has_fact("closed", "spam"))
        )
        or 0
    )
    return {"new": new, "spam": spam, "spam_share": _share(spam, new), "closed": closed}


def first_response(conn: Connection, p: Period, backend: str) -> dict[str, Any]:
    """The bot's first answer in seconds; the manager's first answer in working minutes."""
    ids = period_dialogs(p.start, p.end)
    first_in = (
        select(MessageRow.dialog_id, func.min(MessageRow.created_at).label("at"))
        .where(
            MessageRow.dialog_id.in_(ids),
            MessageRow.direction == "in",
            MessageRow.author == "customer",
        )
        .group_by(MessageRow.dialog_id)
        .subquery("first_in")
    )
    answered = func.coalesce(OutboxRow.sent_at, OutboxRow.created_at)
    first_out = (
        select(func.min(answered))
        .where(
            OutboxRow.dialog_id == first_in.c.dialog_id,
            OutboxRow.kind == "message",
            OutboxRow.status != "skipped",
            OutboxRow.created_at >= first_in.c.at,
        )
        .scalar_subquery()
    )
    bot = select(seconds_between(backend, first_in.c.at, first_out)).where(first_out.is_not(None))
    firsts = (
        select(func.min(ManagerResponseRow.id))
        .where(ManagerResponseRow.dialog_id.in_(ids))
        .group_by(ManagerResponseRow.dialog_id)
    )
    manager = select(ManagerResponseRow.seconds / 60.0).where(ManagerResponseRow.id.in_(firsts))
    return {
        "bot_p50_s": _round(conn.scalar(nearest_rank(bot, 50))),
        "manager_p50_min": _round(conn.scalar(nearest_rank(manager, 50))),
        "manager_p90_min": _round(conn.scalar(nearest_rank(manager, 90))),
    }


def managers(conn: Connection, p: Period) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per manager: dialogs, messages, average answer, breaches; and the breaches in all.

    A breach is an answer later than the SLA, or a wait that long no answer ended: the latter
    counts against the manager who last took a task of the dialog.
    """
    ids = period_dialogs(p.start, p.end)
    msgs = conn.execute(
        select(
            DialogFactRow.manager, func.count(func.distinct(DialogFactRow.dialog_id)), func.count()
        )
        .where(DialogFactRow.kind == "manager_message", DialogFactRow.dialog_id.in_(ids))
        .group_by(DialogFactRow.manager)
    )
    answers = conn.execute(
        select(
            ManagerResponseRow.manager,
            func.avg(ManagerResponseRow.seconds),
            count_where(ManagerResponseRow.breach.is_(True)),
        )
        .where(ManagerResponseRow.dialog_id.in_(ids))
        .group_by(ManagerResponseRow.manager)
    )
    waits = _unanswered_waits(conn, ids)
    figures: dict[str, dict[str, Any]] = {}

    def entry(name: str) -> dict[str, Any]:
        blank = {
            "id": name,
            "name": name,
            "dialogs": 0,
            "messages": 0,
            "response_avg_min": None,
            "breaches": 0,
        }
        return figures.setdefault(name, blank)

    for name, dialogs_, messages in msgs:
        entry(str(name)).update(dialogs=int(dialogs_), messages=int(messages))
    late = 0
    for name, avg, breaches in answers:
        late += int(breaches)
        entry(str(name)).update(response_avg_min=_round(float(avg) / 60.0), breaches=int(breaches))
    for name, n in waits.items():
        if name:
            entry(name)["breaches"] += n
    unanswered = sum(waits.values())
    ordered = sorted(figures.values(), key=lambda m: (-m["messages"], m["name"]))
    return ordered, {"late_answers": late, "unanswered_waits": unanswered}


def _unanswered_waits(conn: Connection, ids: Any) -> dict[str, int]:
    """Waiting spells past the SLA that no manager answer ended, by the holding manager."""
    fact = DialogFactRow
    answered_later = (
        select(ManagerResponseRow.id)
        .where(
            ManagerResponseRow.dialog_id == fact.dialog_id,
            ManagerResponseRow.created_at >= fact.created_at,
        )
        .exists()
    )
    holder = (
        select(TaskRow.manager)
        .where(
            TaskRow.dialog_id == fact.dialog_id,
            TaskRow.manager.is_not(None),
            TaskRow.taken_at <= fact.created_at,
        )
        .order_by(TaskRow.taken_at.desc(), TaskRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    spells = (
        select(fact.dialog_id, fact.name, func.min(fact.created_at).label("at"))
        .where(fact.kind == "wait_breach", fact.dialog_id.in_(ids))
        .group_by(fact.dialog_id, fact.name)
        .subquery("spells")
    )
    rows = conn.execute(
        select(holder, func.count())
        .select_from(fact)
        .join(
            spells,
            and_(
                spells.c.dialog_id == fact.dialog_id,
                spells.c.name == fact.name,
                spells.c.at == fact.created_at,
            ),
        )
        .where(fact.kind == "wait_breach", ~answered_later)
        .group_by(holder)
    )
    return {str(m or ""): int(n) for m, n in rows}


def funnel(conn: Connection, p: Period) -> dict[str, int]:
    """Dialogs that got so far: past `new`, a managers' task, an order, paid, delivered."""
    left_new = has_fact("stage")
    row = conn.execute(
        select(
            func.count(),
            count_where(and_(left_new, ~has_fact("closed", "spam"))),
            count_where(has_task()),
            count_where(has_event("order_created")),
            count_where(has_event("order_paid")),
            count_where(has_event("order_delivered")),
        ).where(DialogRow.id.in_(period_dialogs(p.start, p.end)))
    ).one()
    keys = ("new", "qualified", "task", "order_created", "paid", "delivered")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def nudges(conn: Connection, p: Period) -> dict[str, int]:
    """Nudges sent; answered by the customer, or followed by an order, before the next nudge."""
    n = DialogFactRow.__table__.alias("n")
    later = DialogFactRow.__table__.alias("later")

    def before_next(at: Any) -> Any:
        return ~(
            select(later.c.id)
            .where(
                later.c.dialog_id == n.c.dialog_id,
                later.c.kind == "nudge",
                later.c.created_at > n.c.created_at,
                later.c.created_at <= at,
            )
            .correlate_except(later)  # `n` is two queries out: auto-correlation looks one
            .exists()
        )

    replied = (
        select(MessageRow.id)
        .where(
            MessageRow.dialog_id == n.c.dialog_id,
            MessageRow.direction == "in",
            MessageRow.author == "customer",
            MessageRow.created_at > n.c.created_at,
            before_next(MessageRow.created_at),
        )
        .correlate_except(MessageRow)
        .exists()
    )
    ordered = (
        select(CrmEventRow.id)
        .where(
            CrmEventRow.dialog_id == n.c.dialog_id,
            CrmEventRow.type == "order_created",
            CrmEventRow.created_at >= n.c.created_at,
            before_next(CrmEventRow.created_at),
        )
        .correlate_except(CrmEventRow)
        .exists()
    )
    row = conn.execute(
        select(func.count(), count_where(replied), count_where(ordered)).where(
            n.c.kind == "nudge", n.c.dialog_id.in_(period_dialogs(p.start, p.end))
        )
    ).one()
    return {"sent": int(row[0]), "replied": int(row[1]), "ordered": int(row[2])}


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)
