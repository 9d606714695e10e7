"""One SQLite connection in one thread that runs whole transactions (writes, or reads).

The async driver hands every cursor call to its own thread and back, several times per
statement; a transaction of five statements pays that a dozen times. Here the caller hands
the whole transaction over once, and it runs on a plain `sqlite3` connection through
SQLAlchemy Core in this thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from chatbot.db import json_codec
from chatbot.db.group_commit import GROUP_LIMIT, CommitStep, Write, commit, report, run_group

P = ParamSpec("P")
T = TypeVar("T")


class SqliteThread:
    """Runs `work(connection, ...)` transactions one after another on a dedicated thread.

    A writer runs the write transactions waiting in its queue together, one commit for all
    (chatbot/db/group_commit.py). A `read_only` one begins with a plain BEGIN (it neither
    waits for nor blocks the writer in WAL mode) and always rolls back.
    """

    def __init__(
        self,
        url: URL,
        timeout: float,
        configure: Callable[[Engine], None],
        read_only: bool = False,
        name: str | None = None,
        commit_step: CommitStep = commit,
    ) -> None:
        """`commit_step` commits a group's transaction (a test may watch or fail it)."""
        # NullPool: the one connection is kept here, so the pool would only add a reset.
        self._engine = create_engine(
            url,
            poolclass=NullPool,
            connect_args={"timeout": timeout},
            json_serializer=json_codec.dumps,
        )
        configure(self._engine)
        self._read_only = read_only
        self._commit_step = commit_step
        self.group_limit = GROUP_LIMIT
        self._conn: Connection | None = None
        # A bare queue and one thread: an executor would add a future and its chaining to
        # every transaction.
        self._jobs: queue.SimpleQueue[_Job | Write | None] = queue.SimpleQueue()
        name = name or ("sqlite-reader" if read_only else "sqlite-writer")
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    async def run(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work` in one transaction on this thread: committed when it returns.

        It is rolled back when `work` raises, and always on a read-only thread.
        """
        # A cancelled caller does not stop the thread: the transaction runs to its end (commit
        # or rollback) and is never left half-done; the caller's retry is made safe by keys.
        return await self._write(work, args, kwargs, durable=False)

    async def run_durable(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`run`, with a commit that returns only once it is on disk (synchronous FULL)."""
        return await self._write(work, args, kwargs, durable=True)

    async def _write(self, work: Callable[..., T], args: Any, kwargs: Any, durable: bool) -> T:
        if self._read_only:
            return await self._submit(lambda: self._read(work, args, kwargs))
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(Write(loop, future, work, args, kwargs, durable))
        return await future

    async def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the thread's driver connection outside any transaction (a PRAGMA)."""
        return await self._submit(lambda: work(self._driver_connection()))

    async def _submit(self, run: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, run))
        return await future

    async def pause(self) -> Callable[[], None]:
        """Park the thread between two transactions; call the returned function to resume it.

        Transactions handed over before the pause are committed first; later ones wait.
        """
        loop = asyncio.get_running_loop()
        parked: asyncio.Future[None] = loop.create_future()
        resume = threading.Event()

        def park() -> None:
            loop.call_soon_threadsafe(_settle, parked)
            resume.wait()

        self._jobs.put((loop, loop.create_future(), park))
        try:
            await parked
        except BaseException:
            resume.set()  # the caller gave up waiting: do not leave the thread parked
            raise
        return resume.set

    def _serve(self) -> None:
        """The thread: run jobs in order until told to stop (None), report each to its loop."""
        held: list[_Job | Write | None] = []  # taken from the queue while gathering a group
        while (job := held.pop() if held else self._jobs.get()) is not None:
            if isinstance(job, Write):
                group = [job]
                # Only what is already waiting: the first write never waits for company.
                while len(group) < self.group_limit:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if not isinstance(more, Write):
                        held.append(more)  # a pause or a PRAGMA runs after the group, in order
                        break
                    group.append(more)
                self._commit_group(group)
                continue
            loop, future, run = job
            try:
                result = run()
            except BaseException as exc:  # the caller re-raises it; the thread must live on
                _report(loop, future, None, exc)
            else:
                _report(loop, future, result, None)

    def _commit_group(self, group: list[Write]) -> None:
        try:
            conn = self._connection()
            outcomes = run_group(conn, self._driver_connection(), group, self._commit_step)
        except BaseException as exc:  # the callers re-raise it; the thread must live on
            outcomes = [(None, exc)] * len(group)
        report(list(zip(group, outcomes, strict=True)))

    def _connection(self) -> Connection:
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            conn = self._conn = self._engine.connect()
            if self._read_only:
                conn = self._conn = conn.execution_options(chatbot_read_only=True)
        return conn

    def _driver_connection(self) -> sqlite3.Connection:
        raw = self._connection().connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)  # this thread's engine is pysqlite's
        return raw

    def _read(self, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        conn = self._connection()
        with conn.begin() as transaction:
            result = work(conn, *args, **kwargs)
            transaction.rollback()
            return result

    async def close(self) -> None:
        """Close the connection and stop the thread (waits for a running transaction)."""
        loop = asyncio.get_running_loop()
        closed: asyncio.Future[None] = loop.create_future()
        self._jobs.put((loop, closed, self._close))
        self._jobs.put(None)
        await closed
        await asyncio.to_thread(self._thread.join)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._engine.dispose()


_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


def _report(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    """Hand a job's result or error to its future, on the future's loop."""
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
        loop.call_soon_threadsafe(_resolve, future, result, error)


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return  # the caller was cancelled; the transaction itself has ended either way
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
