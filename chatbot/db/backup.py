"""A consistent copy of the SQLite database, taken while the bot runs, and checked."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from chatbot.errors import StorageError

COUNTED = ("customers", "dialogs", "messages", "tasks", "timers")


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What the copy holds: its size, revision and rows, and SQLite's own check of it."""

    source: Path
    target: Path
    size: int
    revision: str | None
    rows: dict[str, int]
    check: str


def sqlite_file(url: str) -> Path:
    """The database file of a SQLite URL; StorageError for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StorageError(
            f"backup copies SQLite files; {parsed.get_backend_name()} has its own tools "
            "(for PostgreSQL: pg_dump)"
        )
    name = parsed.database or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        raise StorageError(f"{url!r} is not a SQLite file that can be copied")
    return Path(name).expanduser()


def backup(source: Path, target: Path, *, replace: bool = False) -> BackupReport:
    """Copy `source` to `target` (never half-written) and check the copy.

    SQLite's online backup reads one snapshot: the bot goes on writing meanwhile (WAL), and
    what it commits after the snapshot is simply not in the copy.
    """
    if not source.is_file():
        raise StorageError(f"no database at {source}: nothing to back up")
    if target.exists() and not replace:
        raise StorageError(f"{target} exists already: choose another name or pass --replace")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()  # left by a copy that was killed
    # URI with mode=rw: an existing file is opened, a missing one is never created.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # One self-contained file: the copy leaves WAL mode, so no -wal file belongs to it.
            dst.execute("PRAGMA journal_mode=DELETE")
            check, revision, rows = _inspect(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"backup of {source} failed: {exc}") from exc
    finally:
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise StorageError(f"the copy of {source} fails SQLite's check: {check}")
    os.replace(partial, target)
    return BackupReport(source, target, target.stat().st_size, revision, rows, check)


def _inspect(conn: sqlite3.Connection) -> tuple[str, str | None, dict[str, int]]:
    """The copy's check, revision and row counts (tables it lacks are left out)."""
    check = str(conn.execute("PRAGMA quick_check").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # Names from COUNTED only, never from input.
    rows = {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        for t in COUNTED
        if t in tables
    }
    revision = None
    if "alembic_version" in tables:
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = str(found[0]) if found else None
    return check, revision, rows
