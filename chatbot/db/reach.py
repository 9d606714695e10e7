"""Opening DATABASE_URL at start-up: a failure is one line naming the setting, why and the fix."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from chatbot.config import hide_password
from chatbot.db.database import Database, Synchronous
from chatbot.errors import StorageError

FIX_URL = "fix: correct DATABASE_URL, e.g. sqlite+aiosqlite:///storage/chatbot.db; see .env.example"
FIX_REACH = "fix: start the database server, or correct host, port, user and name in DATABASE_URL"


async def open_database(url: str, *, synchronous: Synchronous = "full") -> Database:
    """A Database on `url` that has answered once; StorageError with the reason when not."""
    try:
        db = Database(url, synchronous=synchronous)
    except Exception as exc:  # a URL that parses but names no usable driver, folder or backend
        raise StorageError(_line(url, "is not usable", exc, FIX_URL)) from exc
    try:
        async with db.engine.connect():
            pass
    except Exception as exc:  # refused, unknown host, wrong password, no such database, ...
        await db.dispose()
        raise StorageError(_line(url, "cannot be reached", exc, FIX_REACH)) from exc
    return db


def _line(url: str, what: str, exc: BaseException, fix: str) -> str:
    """`DATABASE_URL='…' <what>: <reason> (<fix>)`, the password hidden, on one line."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = " ".join(str(cause).split()) or "no reason given"
    return f"DATABASE_URL={hide_password(url)!r} {what}: {type(cause).__name__}: {reason} ({fix})"
