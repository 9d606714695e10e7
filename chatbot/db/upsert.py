"""INSERT ... ON CONFLICT for both backends, built once per dialect and reused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

_BUILT: dict[tuple[str, str], Any] = {}


def dialect_of(bind: Connection | AsyncSession) -> str:
    """The dialect name of a connection or session."""
    if isinstance(bind, Connection):
        return bind.dialect.name
    return bind.bind.dialect.name if bind.bind is not None else "sqlite"


def insert_for(session: Connection | AsyncSession, table: Any) -> Any:
    """The dialect's INSERT construct (it has on_conflict_do_nothing/do_update)."""
    module = postgresql if dialect_of(session) == "postgresql" else sqlite
    return module.insert(table)


def prebuilt(session: Connection | AsyncSession, name: str, build: Callable[[Any], Any]) -> Any:
    """A statement built once per dialect: `build(insert_function)` returns it."""
    dialect = dialect_of(session)
    key = (dialect, name)
    stmt = _BUILT.get(key)
    if stmt is None:
        module = postgresql if dialect == "postgresql" else sqlite
        stmt = _BUILT[key] = build(module.insert)
    return stmt


async def core(session: AsyncSession) -> AsyncConnection:
    """The session's connection, for Core statements (plain rowcount, no ORM bulk path)."""
    return await session.connection()
