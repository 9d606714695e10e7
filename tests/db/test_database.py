"""Database.write: whole transactions, one writer thread on SQLite, waiting out a busy file."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError

from chatbot.core.clock import VirtualClock
from chatbot.db import dialogs, inbox
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.db.tables import MessageRow
from chatbot.errors import StorageError
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from chatbot.service.app import load_admin_files
from chatbot.service.pipeline import Pipeline

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


class Boom(Exception):
    """Raised by a unit of work half-way through."""


async def _messages(db: Database) -> list[str]:
    async with db.snapshot() as s:
        return list((await s.execute(select(MessageRow.text).order_by(MessageRow.id))).scalars())


def _note(conn: Connection, body: str, dialog_id: int = 1) -> None:
    inbox.record_message(conn, dialog_id, "console", "out", "bot", body, NOW)


async def _with_dialog(db: Database) -> Database:
    """The database with dialog 1, which the notes belong to."""
    made = await db.write(dialogs.create_dialog, "console", "1", CustomerInfo(), NOW, "ru")
    assert made is not None
    assert made.id == 1
    return db


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> Path:
    """A migrated SQLite file (the database itself is opened by each test)."""
    path = tmp_path / "bot.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    await db.dispose()
    return path


async def test_a_write_commits_when_the_work_returns_and_leaves_nothing_when_it_raises(
    db: Database,
) -> None:
    def half_done(conn: Connection) -> None:
        _note(conn, "first half")
        raise Boom

    await _with_dialog(db)
    with pytest.raises(Boom):
        await db.write(half_done)
    assert await db.write(lambda conn: _note(conn, "whole") or "done") == "done"
    assert await _messages(db) == ["whole"]


async def test_sqlite_transactions_run_on_the_writer_thread(sqlite_file: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{sqlite_file}")
    try:
        names = {await db.write(lambda _: threading.current_thread().name) for _ in range(5)}
    finally:
        await db.dispose()
    assert len(names) == 1
    assert names.pop().startswith("sqlite-writer")


async def test_both_write_paths_take_turns_instead_of_meeting_in_the_busy_handler(
    sqlite_file: Path,
) -> None:
    # No busy timeout at all: were the two paths to contend for SQLite's lock, some would fail.
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}", busy_timeout=0.0))

    async def through_session(n: int) -> None:
        async with db.transaction() as s:
            await s.execute(
                text(
                    "INSERT INTO messages (dialog_id, channel, direction, author, text, "
                    "created_at) VALUES (1, 'console', 'out', 'bot', :t, :at)"
                ),
                {"t": f"s{n}", "at": NOW},
            )

    def held_a_moment(conn: Connection, body: str) -> None:
        _note(conn, body)
        threading.Event().wait(0.001)  # long enough for the two paths to overlap

    try:
        await asyncio.gather(
            *(through_session(n) for n in range(40)),
            *(db.write(held_a_moment, f"w{n}") for n in range(40)),
        )
        stored = await _messages(db)
    finally:
        await db.dispose()
    assert sorted(stored) == sorted([f"s{n}" for n in range(40)] + [f"w{n}" for n in range(40)])


def _hold_write_lock(path: Path, seconds: float, taken: threading.Event) -> None:
    """Another process's writer: holds SQLite's write lock for `seconds`."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    taken.set()
    threading.Event().wait(seconds)
    conn.execute("COMMIT")
    conn.close()


@contextlib.asynccontextmanager
async def _locked_elsewhere(path: Path, seconds: float, db: Database) -> AsyncIterator[None]:
    """Inside: another writer holds the file's lock for `seconds`; `db` is disposed after."""
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, seconds, taken))
    holder.start()
    try:
        assert await asyncio.to_thread(taken.wait, 5)
        yield
    finally:
        holder.join()
        await db.dispose()


async def test_a_write_waits_while_another_process_holds_the_lock(sqlite_file: Path) -> None:
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}", busy_timeout=5.0))
    async with _locked_elsewhere(sqlite_file, 0.3, db):
        await db.write(_note, "after the other writer")
        stored = await _messages(db)
    assert stored == ["after the other writer"]


async def test_a_write_that_outwaits_the_busy_timeout_fails_clearly(sqlite_file: Path) -> None:
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}", busy_timeout=0.05))
    async with _locked_elsewhere(sqlite_file, 0.5, db):
        with pytest.raises(OperationalError, match="locked"):
            await db.write(_note, "lost?")


async def test_an_event_meeting_a_busy_database_is_retried_and_stored_once(
    sqlite_file: Path,
) -> None:
    # The lock is held longer than the busy timeout: the pipeline's own retries carry it over.
    db = Database(f"sqlite+aiosqlite:///{sqlite_file}", busy_timeout=0.05)
    flows, rules = load_admin_files(ROOT / "flows")
    pipeline = Pipeline(db, flows, rules, VirtualClock(NOW))
    await pipeline.handle(Inbound("telegram", "5", IncomingText("Здравствуйте"), "m1"))
    async with _locked_elsewhere(sqlite_file, 0.3, db):
        outcome = await pipeline.handle(
            Inbound("telegram", "5", IncomingText("Сколько стоит?"), "m2")
        )
        async with db.snapshot() as s:
            stored = await s.scalar(
                select(func.count()).select_from(MessageRow).where(MessageRow.external_id == "m2")
            )
    assert not outcome.duplicate
    assert [e.type for e in outcome.trace][:2] == ["inbound", "intent"]
    assert stored == 1


async def test_a_cancelled_caller_does_not_cut_a_transaction_in_half(sqlite_file: Path) -> None:
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}"))
    started = threading.Event()

    def slow(conn: Connection) -> None:
        _note(conn, "one")
        started.set()
        threading.Event().wait(0.2)
        _note(conn, "two")

    task = asyncio.create_task(db.write(slow))
    try:
        assert await asyncio.to_thread(started.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await db.write(_note, "three")  # queued behind the running transaction
        stored = await _messages(db)
    finally:
        await db.dispose()
    assert stored == ["one", "two", "three"]


async def test_a_read_runs_beside_a_held_write_lock_and_sees_what_was_committed(
    sqlite_file: Path,
) -> None:
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}", busy_timeout=0.05))
    await db.write(_note, "committed")
    async with _locked_elsewhere(sqlite_file, 0.5, db):
        # With the write lock held past the busy timeout, only a reader that never asks for
        # it can answer: a plain BEGIN on the reader thread.
        found = await db.read(dialogs.load_dialog, "console", "1")
        texts = await db.read(lambda c: list(c.scalars(select(MessageRow.text))))
        thread = await db.read(lambda _: threading.current_thread().name)
    assert found is not None
    assert found.id == 1
    assert texts == ["committed"]
    assert thread.startswith("sqlite-reader")


async def test_a_read_changes_nothing(db: Database) -> None:
    await _with_dialog(db)

    def sneaky(conn: Connection) -> None:
        _note(conn, "written in a read")

    with contextlib.suppress(OperationalError):  # SQLite may refuse; either way nothing stays
        await db.read(sneaky)
    assert await _messages(db) == []


async def test_a_write_inside_a_transaction_is_refused_instead_of_waiting_forever(
    sqlite_file: Path,
) -> None:
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}"))
    try:
        async with db.transaction():
            with pytest.raises(StorageError, match=r"inside db\.transaction\(\)"):
                await asyncio.wait_for(db.write(_note, "nested"), 30)

            async def nested_transaction() -> None:
                async with db.transaction():
                    pass  # pragma: no cover - refused on entry

            with pytest.raises(StorageError, match=r"inside db\.transaction\(\)"):
                await asyncio.wait_for(nested_transaction(), 30)
        await db.write(_note, "after")  # the turn is free again once the transaction ends
        assert await _messages(db) == ["after"]
    finally:
        await db.dispose()


def _level(conn: Connection) -> int:
    """PRAGMA synchronous: 2 FULL (the commit waits for the disk), 1 NORMAL."""
    return int(conn.execute(text("PRAGMA synchronous")).scalar_one())


@pytest.mark.parametrize(("chosen", "durable"), [(None, 2), ("full", 2), ("normal", 1)])
async def test_only_durable_writes_wait_for_the_disk(
    sqlite_file: Path, chosen: str | None, durable: int
) -> None:
    url = f"sqlite+aiosqlite:///{sqlite_file}"
    db = Database(url) if chosen is None else Database(url, synchronous=chosen)  # type: ignore[arg-type]
    try:
        assert await db.write_durably(_level) == durable
        assert await db.write(_level) == 1  # bookkeeping does not wait
        assert await db.read(_level) == 1
        async with db.sessions() as session:
            assert int((await session.execute(text("PRAGMA synchronous"))).scalar_one()) == 1

        def fails(conn: Connection) -> None:
            raise Boom

        with pytest.raises(Boom):
            await db.write_durably(fails)
        assert await db.write(_level) == 1  # a failed durable write leaves the level as it was
    finally:
        await db.dispose()


async def test_a_durable_write_commits_like_any_write(sqlite_file: Path) -> None:
    db = await _with_dialog(Database(f"sqlite+aiosqlite:///{sqlite_file}"))
    try:
        await db.write_durably(_note, "kept")
        with pytest.raises(Boom):
            await db.write_durably(lambda conn: (_note(conn, "dropped"), _raise()))
        assert await _messages(db) == ["kept"]
    finally:
        await db.dispose()


def _raise() -> None:
    raise Boom
