"""Group commit: the write transactions waiting for the writer thread share one commit.

On a SQLite file a durable commit waits for the disk (one fsync, a millisecond to tens of them),
and the writer does nothing else meanwhile. So the events that queued up during one commit
are written together: each in its own savepoint inside one transaction, one commit (one fsync)
for all. A write that raises is rolled back to its savepoint and fails alone; every outcome is
handed out only after the commit, so nothing is acknowledged before it is on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RootTransaction

GROUP_LIMIT = 64  # writes per commit at most: bounds how long the first of them waits
CommitStep = Callable[[RootTransaction], None]
Outcome = tuple[Any, BaseException | None]  # a write's result, or its error


@dataclass(slots=True)
class Write:
    """A write transaction handed to the writer thread, and the future that gets its outcome."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    work: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    durable: bool  # its commit must be on disk before it is reported (synchronous FULL)


def commit(transaction: RootTransaction) -> None:
    """The commit step of a group: COMMIT (a test's seam may stand in for it)."""
    transaction.commit()


def run_group(
    conn: Connection,
    raw: sqlite3.Connection,
    writes: Sequence[Write],
    commit_step: CommitStep = commit,
) -> list[Outcome]:
    """Run `writes` in one transaction, each in its own savepoint, and commit once.

    A write that raises is rolled back to its savepoint and gets its own error. When the
    transaction fails as a whole (BEGIN, the COMMIT, or SQLite giving it up after an I/O
    error), every write gets that error: nothing of the group is on disk.
    """
    durable = any(w.durable for w in writes)
    alone = len(writes) == 1  # no savepoint needed: its error rolls the transaction back
    # The connection's own level is NORMAL; FULL holds for this commit only.
    if durable:
        raw.execute("PRAGMA synchronous=FULL")
    try:
        transaction = conn.begin()
        try:
            outcomes = [_run_one(conn, raw, w, alone) for w in writes]
            commit_step(transaction)
        except BaseException:
            with contextlib.suppress(Exception):  # the error that got us here is the one to tell
                transaction.rollback()
            raise
    except Exception as exc:
        return [(None, exc)] * len(writes)
    finally:
        if durable:
            raw.execute("PRAGMA synchronous=NORMAL")
    return outcomes


def _run_one(conn: Connection, raw: sqlite3.Connection, write: Write, alone: bool) -> Outcome:
    if alone:
        return write.work(conn, *write.args, **write.kwargs), None
    raw.execute("SAVEPOINT group_write")
    try:
        result = write.work(conn, *write.args, **write.kwargs)
    except Exception as exc:
        if not raw.in_transaction:
            raise  # SQLite rolled the whole transaction back (a full disk, an I/O error)
        raw.execute("ROLLBACK TO group_write")
        raw.execute("RELEASE group_write")
        return None, exc
    raw.execute("RELEASE group_write")
    return result, None


def report(outcomes: Sequence[tuple[Write, Outcome]]) -> None:
    """Hand each write's outcome to its future: one hand-over per event loop, not per write."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Write, Outcome]]] = {}
    for write, outcome in outcomes:
        by_loop.setdefault(write.loop, []).append((write, outcome))
    for loop, batch in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_resolve_all, batch)


def _resolve_all(batch: list[tuple[Write, Outcome]]) -> None:
    for write, (result, error) in batch:
        if write.future.done():
            continue  # the caller was cancelled; the transaction itself has ended either way
        if error is not None:
            write.future.set_exception(error)
        else:
            write.future.set_result(result)
