"""`chatbot backup FILE`: a checked copy of the SQLite database, safe while the bot runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chatbot.config import Settings
from chatbot.db.backup import backup, sqlite_file
from chatbot.errors import StorageError


def register(p: argparse.ArgumentParser) -> None:
    """Add the `backup` arguments."""
    p.add_argument("file", type=Path, help="where to write the copy, e.g. backups/2026-03-02.db")
    p.add_argument("--replace", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Copy DATABASE_URL's SQLite file to FILE; 1 with the reason when it cannot."""
    try:
        report = backup(sqlite_file(Settings().database_url), args.file, replace=args.replace)
    except StorageError as exc:
        print(f"chatbot backup: failed: {exc}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{table} {n}" for table, n in report.rows.items())
    print(
        f"backed up {report.source} to {report.target}: {report.size / 1e6:.1f} MB, "
        f"revision {report.revision or 'none'}, {rows or 'no tables'}; "
        f"SQLite check {report.check}"
    )
    return 0
