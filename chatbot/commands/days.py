"""Command-line days (YYYY-MM-DD) and the database file a command reads."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from pathlib import Path

from chatbot.db.backup import sqlite_file
from chatbot.errors import StorageError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD day; ValueError names the option and the form."""
    if value is None:
        return None
    if _DATE.fullmatch(value):
        with contextlib.suppress(ValueError):  # 2026-02-30 has the form but is no day
            return date.fromisoformat(value)
    raise ValueError(f"{option} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-01")


def missing_file(url: str) -> Path | None:
    """The SQLite file of `url` when it does not exist: opening it would create an empty one."""
    try:
        path = sqlite_file(url)
    except StorageError:  # PostgreSQL, or SQLite in memory
        return None
    return None if path.is_file() else path
