"""The owner's report (DESIGN.md §3.5): the period, the figures, and the tables behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, text

from chatbot.db import audit, audit_lists, audit_outcomes
from chatbot.db.audit import Period
from chatbot.db.database import Database

DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Report:
    """The §3.5 object (`figures`), the closes behind its chart and the dialogs worth a look."""

    first: date
    last: date
    figures: dict[str, Any]
    closes: list[tuple[datetime, str]]
    look: list[dict[str, Any]]


def period_days(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The days asked for; the last 7 days up to today by default; ValueError if reversed."""
    last = last or (today if first is None else max(today, first))
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    return first, last


def period_of(first: date, last: date, tz: tzinfo) -> Period:
    """Midnight of the first day to midnight after the last, in the shop's time zone."""
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return Period(start, end)


async def build_report(db: Database, first: date, last: date, tz: tzinfo) -> Report:
    """Every figure of the period in one read-only transaction (a consistent snapshot)."""
    return await db.read(_compute, db.backend, first, last, tz)


def _compute(conn: Connection, backend: str, first: date, last: date, tz: tzinfo) -> Report:
    p = period_of(first, last, tz)
    if backend == "postgresql":
        # The report's statements cost enough to trigger JIT compilation, which takes longer
        # than running them (seconds on a year of dialogs); this transaction only.
        conn.execute(text("SET LOCAL jit = off"))
    managers, breaches = audit.managers(conn, p)
    figures: dict[str, Any] = {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "dialogs": audit.dialogs(conn, p),
        "first_response": audit.first_response(conn, p, backend),
        "managers": managers,
        "breaches": breaches,
        "funnel": audit.funnel(conn, p),
        "nudges": audit.nudges(conn, p),
        "payments": audit_outcomes.payments(conn, p),
        "nps": audit_outcomes.nps(conn, p),
        "whatsapp": audit_outcomes.whatsapp(conn, p),
        "llm": audit_outcomes.llm(conn, p),
    }
    return Report(
        first, last, figures, audit_lists.closes(conn, p), audit_lists.worth_a_look(conn, p)
    )
