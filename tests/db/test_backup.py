"""`backup`: a checked, self-contained copy of the SQLite file, taken while the bot writes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatbot.core.clock import VirtualClock
from chatbot.db import dialogs
from chatbot.db.backup import backup, sqlite_file
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.errors import StorageError
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import load_admin_files
from chatbot.service.pipeline import Pipeline
from tests.conftest import ROOT

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def _pipeline(path: Path) -> Pipeline:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    flows, rules = load_admin_files(ROOT / "flows")
    return Pipeline(db, flows, rules, VirtualClock(START))


async def test_a_copy_taken_while_the_bot_writes_is_whole_and_checked(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "backups" / "copy.db"
    pipeline = await _pipeline(live)
    try:
        hello = IncomingText("Здравствуйте")
        for i in range(20):
            await pipeline.handle(Inbound("telegram", str(i), hello, f"a{i}"))

        async def keep_writing() -> None:
            for i in range(200):
                text = IncomingText("а сколько стоит доставка?")
                await pipeline.handle(Inbound("telegram", str(i % 40), text, f"b{i}"))

        writing = asyncio.create_task(keep_writing())
        await asyncio.sleep(0)
        report = await asyncio.to_thread(backup, live, copy)
        await writing  # the bot was never held up: every event went in
    finally:
        await pipeline.db.dispose()
    assert report.check == "ok"
    assert report.revision is not None
    assert 20 <= report.rows["dialogs"] <= 40
    assert 20 <= report.rows["messages"] <= _count(live, "messages")
    assert _count(live, "messages") >= 220  # inbound ones, plus the bot's replies
    assert report.rows["dialogs"] == _count(copy, "dialogs")
    assert not copy.with_name("copy.db-wal").exists()
    assert not copy.with_name("copy.db.part").exists()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


async def test_a_restored_copy_serves_the_dialogs_it_holds(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.db"
    pipeline = await _pipeline(live)
    try:
        await pipeline.handle(Inbound("telegram", "7", IncomingText("спасибо, я подумаю"), "m1"))
    finally:
        await pipeline.db.dispose()
    backup(live, copy)
    restored = Database(f"sqlite+aiosqlite:///{copy}")
    try:
        await upgrade(restored)  # already at the newest revision: nothing to do
        record = await restored.read(dialogs.load_dialog, "telegram", "7")
    finally:
        await restored.dispose()
    assert record is not None
    assert record.state.stage == "thinking"


def test_an_existing_file_is_kept_unless_replace_is_asked(tmp_path: Path) -> None:
    live, target = tmp_path / "live.db", tmp_path / "copy.db"
    sqlite3.connect(live).close()
    target.write_text("yesterday's copy")
    with pytest.raises(StorageError, match="exists already"):
        backup(live, target)
    assert target.read_text() == "yesterday's copy"
    assert backup(live, target, replace=True).check == "ok"
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_a_missing_database_is_reported_not_created(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database at"):
        backup(tmp_path / "none.db", tmp_path / "copy.db")
    assert not (tmp_path / "none.db").exists()
    assert not (tmp_path / "copy.db").exists()


def test_only_sqlite_files_can_be_copied() -> None:
    assert sqlite_file("sqlite+aiosqlite:///storage/chatbot.db") == Path("storage/chatbot.db")
    with pytest.raises(StorageError, match="pg_dump"):
        sqlite_file("postgresql+asyncpg://root@127.0.0.1:5432/test")
    with pytest.raises(StorageError, match="not a SQLite file"):
        sqlite_file("sqlite+aiosqlite:///:memory:")
