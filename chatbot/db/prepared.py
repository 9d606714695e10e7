"""Statements of the hot write path, compiled once and run on the SQLite driver directly.

SQLAlchemy spends about a hundred microseconds of Python on every statement it executes
(execution context, events, result set-up), several times what SQLite itself needs for a
one-row insert. The few statements every event writes are compiled once per dialect; on
`sqlite3` they then run on the raw connection with SQLAlchemy's own bind processors, so the
stored values are exactly those SQLAlchemy would store. Other drivers run them through
SQLAlchemy as usual.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from chatbot.db.types import UtcDateTime

_REQUIRED = object()
Build = Callable[[Any], Executable]  # given the dialect's insert(), returns the statement


class _Compiled:
    """A statement's SQL text and how to turn a parameter dict into its positional tuple."""

    def __init__(self, stmt: Executable, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
        self.sql: str = compiled.string
        order = compiled.positiontup or []
        slots: list[_Slot] = []
        for name in order:
            bp = compiled.binds[name]
            processor = _fast_processor(bp.type, dialect) or bp.type.dialect_impl(
                dialect
            ).bind_processor(dialect)
            slots.append((bp.key, processor, _REQUIRED if bp.required else bp.effective_value))
        # The positional parameters from a dict, processed as SQLAlchemy would.
        self.row: Callable[[Mapping[str, Any]], tuple[Any, ...]] = _row_builder(slots)


_Slot = tuple[str, Callable[[Any], Any] | None, Any]  # bind name, processor, default


def _row_builder(slots: Sequence[_Slot]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function building a statement's parameter tuple, generated once from its binds.

    A generic loop over the binds costs about a third of a microsecond per value, on every
    statement of every event; the generated code is one tuple expression (the way
    `dataclasses` builds `__init__`). It only names binds and functions from `slots`.
    """
    namespace: dict[str, Any] = {}
    values = []
    for n, (name, processor, default) in enumerate(slots):
        # A bind with no value of its own must be given, as SQLAlchemy would insist.
        value = f"p[{name!r}]"
        if default is not _REQUIRED:
            namespace[f"d{n}"] = default
            value = f"p.get({name!r}, d{n})"
        if processor is not None:
            namespace[f"f{n}"] = processor
            value = f"f{n}({value})"
        values.append(value + ",")
    exec(f"def row(p):\n    return ({' '.join(values)})\n", namespace)
    row: Callable[[Mapping[str, Any]], tuple[Any, ...]] = namespace["row"]
    return row


class Prepared:
    """A statement built once per dialect with its insert() (ON CONFLICT differs by dialect)."""

    def __init__(self, build: Build) -> None:
        self._build = build
        self._stmts: dict[str, Executable] = {}
        self._compiled: _Compiled | None = None

    def statement(self, dialect: Dialect) -> Executable:
        """The statement built with this dialect's insert()."""
        stmt = self._stmts.get(dialect.name)
        if stmt is None:
            module = postgresql if dialect.name == "postgresql" else sqlite
            stmt = self._stmts[dialect.name] = self._build(module.insert)
        return stmt

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Execute with one parameter set; the number of rows it changed."""
        raw = _raw_sqlite(conn)
        if raw is None:
            return int(conn.execute(self.statement(conn.dialect), dict(params)).rowcount)
        compiled = self._for_sqlite(conn)
        return _run(raw, compiled.sql, compiled.row(params)).rowcount

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Execute with one parameter set; the first column of the first row (RETURNING)."""
        raw = _raw_sqlite(conn)
        if raw is None:
            return conn.execute(self.statement(conn.dialect), dict(params)).scalar()
        compiled = self._for_sqlite(conn)
        row = _run(raw, compiled.sql, compiled.row(params)).fetchone()
        return None if row is None else row[0]

    def many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per parameter set."""
        raw = _raw_sqlite(conn)
        if raw is None:
            conn.execute(self.statement(conn.dialect), [dict(r) for r in rows])
            return
        compiled = self._for_sqlite(conn)
        for params in rows:
            _run(raw, compiled.sql, compiled.row(params))

    def _for_sqlite(self, conn: Connection) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self.statement(conn.dialect), conn.dialect)
        return self._compiled


def _fast_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """A one-step converter for a column type SQLAlchemy converts in several, if there is one."""
    if isinstance(type_, UtcDateTime) and dialect.name == "sqlite":
        return UtcDateTime.sqlite_text
    return None


def _raw_sqlite(conn: Connection) -> sqlite3.Connection | None:
    """The `sqlite3` connection under `conn`, or None on any other driver."""
    if conn.dialect.driver != "pysqlite":
        return None
    raw = conn.connection.dbapi_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


def _run(raw: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
    """Execute on the driver; its errors surface as SQLAlchemy's, like every other statement."""
    try:
        return raw.execute(sql, params)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
