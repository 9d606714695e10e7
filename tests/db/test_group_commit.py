"""Group commit on the SQLite writer thread: one commit for the writes waiting, none told early."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, RootTransaction, text
from sqlalchemy.engine import make_url

from chatbot.db.database import configure_sqlite
from chatbot.db.group_commit import commit
from chatbot.db.sqlite_thread import SqliteThread

_INSERT = text("INSERT INTO probe (body) VALUES (:b)")


class Boom(Exception):
    """Raised by one write of a group."""


def _insert(conn: Connection, body: str) -> str:
    conn.execute(_INSERT, {"b": body})
    return body


def _insert_then_fail(conn: Connection, body: str) -> None:
    conn.execute(_INSERT, {"b": body})
    raise Boom(body)


def _on_disk(path: Path) -> list[str]:
    """What another connection sees committed."""
    with sqlite3.connect(path) as other:
        return [row[0] for row in other.execute("SELECT body FROM probe ORDER BY id")]


class Commits:
    """A commit step that counts commits, and can hold one back or fail it."""

    def __init__(self) -> None:
        self.count = 0
        self.levels: list[int] = []  # PRAGMA synchronous at each commit (2 is FULL)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail_next: BaseException | None = None

    def __call__(self, transaction: RootTransaction) -> None:
        level = transaction.connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
        self.levels.append(int(level))
        self.entered.set()
        assert self.release.wait(60)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        commit(transaction)
        self.count += 1


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A SQLite file with the probe table, in WAL mode."""
    path = tmp_path / "bot.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, body TEXT)")
    return path


@pytest.fixture
async def writer(path: Path) -> AsyncIterator[tuple[SqliteThread, Commits]]:
    """The writer thread on that file, its commits counted."""
    commits = Commits()

    def configure(engine: Any) -> None:
        configure_sqlite(engine, 10.0, autocheckpoint=False)

    thread = SqliteThread(make_url(f"sqlite:///{path}"), 10.0, configure, commit_step=commits)
    try:
        yield thread, commits
    finally:
        commits.release.set()
        await thread.close()


async def _queued_together(
    thread: SqliteThread, *writes: Callable[[], Any]
) -> list[asyncio.Task[Any]]:
    """Start `writes` while the writer is parked, so that they wait in its queue together."""
    resume = await thread.pause()
    tasks = [asyncio.create_task(write()) for write in writes]
    await asyncio.sleep(0)  # each task hands its write over before its first wait
    resume()
    return tasks


async def test_writes_waiting_together_share_one_commit_and_a_failed_one_stays_out(
    writer: tuple[SqliteThread, Commits], path: Path
) -> None:
    thread, commits = writer
    tasks = await _queued_together(
        thread,
        lambda: thread.run_durable(_insert, "one"),
        lambda: thread.run_durable(_insert_then_fail, "two"),
        lambda: thread.run(_insert, "three"),
    )
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == "one"
    assert isinstance(results[1], Boom)
    assert results[2] == "three"
    assert commits.count == 1
    assert commits.levels == [2]  # a durable write in the group: the commit waits for the disk
    assert _on_disk(path) == ["one", "three"]
    assert await thread.run(_insert, "four") == "four"  # the thread goes on as before
    assert _on_disk(path) == ["one", "three", "four"]


@pytest.mark.parametrize("writes", [1, 3])
async def test_no_write_is_reported_before_its_commit_is_on_disk(
    writer: tuple[SqliteThread, Commits], path: Path, writes: int
) -> None:
    thread, commits = writer
    commits.release.clear()
    bodies = [f"row {i}" for i in range(writes)]
    tasks = await _queued_together(
        thread, *(lambda b=b: thread.run_durable(_insert, b) for b in bodies)
    )
    assert await asyncio.to_thread(commits.entered.wait, 60)
    for _ in range(20):
        await asyncio.sleep(0)  # a result handed over early would reach its task here
    assert not any(task.done() for task in tasks)
    assert _on_disk(path) == []
    commits.release.set()
    assert await asyncio.gather(*tasks) == bodies
    assert commits.count == 1
    assert commits.levels == [2]
    assert _on_disk(path) == bodies


async def test_a_failed_commit_fails_every_write_of_its_group(
    writer: tuple[SqliteThread, Commits], path: Path
) -> None:
    thread, commits = writer
    commits.fail_next = sqlite3.OperationalError("disk I/O error")
    tasks = await _queued_together(
        thread,
        lambda: thread.run_durable(_insert, "one"),
        lambda: thread.run_durable(_insert_then_fail, "two"),
        lambda: thread.run(_insert, "three"),
    )
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results), results
    assert _on_disk(path) == []
    assert await thread.run_durable(_insert, "after") == "after"
    assert _on_disk(path) == ["after"]


async def test_a_job_outside_a_transaction_ends_a_group_and_keeps_its_place(
    writer: tuple[SqliteThread, Commits],
) -> None:
    thread, commits = writer

    def count(raw: sqlite3.Connection) -> int:
        return int(raw.execute("SELECT count(*) FROM probe").fetchone()[0])

    tasks = await _queued_together(
        thread,
        lambda: thread.run_durable(_insert, "one"),
        lambda: thread.run_durable(_insert, "two"),
        lambda: thread.call(count),
        lambda: thread.run_durable(_insert, "three"),
    )
    assert await asyncio.gather(*tasks) == ["one", "two", 2, "three"]
    assert commits.count == 2


async def test_a_group_never_exceeds_its_limit(writer: tuple[SqliteThread, Commits]) -> None:
    thread, commits = writer
    thread.group_limit = 4
    tasks = await _queued_together(
        thread, *(lambda i=i: thread.run_durable(_insert, str(i)) for i in range(10))
    )
    assert await asyncio.gather(*tasks) == [str(i) for i in range(10)]
    assert commits.count == 3  # 4 + 4 + 2
