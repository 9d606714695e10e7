"""INSERT ... ON CONFLICT for both backends, so uniqueness is enforced by the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT construct (it has on_conflict_do_nothing/do_update)."""
    name = session.bind.dialect.name if session.bind is not None else "sqlite"
    module = postgresql if name == "postgresql" else sqlite
    return module.insert(table)
