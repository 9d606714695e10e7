"""SQL pieces of the report that differ between SQLite and PostgreSQL, or repeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, cast, exists, func, literal, select
from sqlalchemy.sql.elements import ColumnElement as Col

from chatbot.db.tables import CrmEventRow, DialogFactRow, DialogRow, TaskRow


def period_dialogs(start: datetime, end: datetime) -> Select[Any]:
    """Ids of the dialogs started in [start, end) (ix_dialogs_created_at)."""
    return select(DialogRow.id).where(DialogRow.created_at >= start, DialogRow.created_at < end)


def seconds_between(backend: str, a: Col[datetime], b: Col[datetime]) -> ColumnElement[float]:
    """b - a in seconds: SQLite keeps datetimes as text, PostgreSQL as timestamps."""
    if backend == "sqlite":
        return cast((func.julianday(b) - func.julianday(a)) * 86400.0, Float)
    return cast(func.extract("epoch", b - a), Float)


def nearest_rank(values: Select[Any], percent: int) -> Select[Any]:
    """The `percent`th percentile of one column by the nearest-rank method (both backends)."""
    inner = values.subquery("v")
    column = inner.c[0]
    ranked = select(
        column.label("x"),
        func.row_number().over(order_by=column).label("rn"),
        func.count().over().label("n"),
    ).subquery("r")
    # ceil(n * p / 100) in integers: SQLite has no ceil() in every build
    rank = (ranked.c.n * percent + 99) // 100
    return select(ranked.c.x).where(ranked.c.rn == rank)


def has_fact(kind: str, name: str | None = None) -> ColumnElement[bool]:
    """The dialog (DialogRow) has a fact of this kind (and name)."""
    conditions = [DialogFactRow.dialog_id == DialogRow.id, DialogFactRow.kind == kind]
    if name is not None:
        conditions.append(DialogFactRow.name == name)
    return exists().where(*conditions)


def has_event(type_: str) -> ColumnElement[bool]:
    """The dialog (DialogRow) got a CRM event of this type."""
    return exists().where(CrmEventRow.dialog_id == DialogRow.id, CrmEventRow.type == type_)


def has_task(post_to: str = "managers") -> ColumnElement[bool]:
    """The dialog (DialogRow) got a task posted to `post_to`."""
    return exists().where(TaskRow.dialog_id == DialogRow.id, TaskRow.post_to == post_to)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet `condition`, as a column beside others."""
    return func.coalesce(func.sum(case((condition, literal(1)), else_=literal(0))), 0)
