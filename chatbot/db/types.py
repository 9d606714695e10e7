"""Column types: aware UTC datetimes on every backend (SQLite stores naive text)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        value = _in_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    @staticmethod
    def sqlite_text(value: datetime | None) -> str | None:
        """What this type stores on SQLite, in one step instead of SQLAlchemy's two.

        The same text as `process_bind_param` followed by SQLite's DATETIME processor; the
        hot write path converts several datetimes per event.
        """
        if value is None:
            return None
        # "YYYY-MM-DD HH:MM:SS.ffffff" and then the "+00:00" offset, which is cut
        return _in_utc(value).isoformat(" ", "microseconds")[:26]

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused, its zone is unknown."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; use aware UTC datetimes")
    return value.astimezone(UTC)
