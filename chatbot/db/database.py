"""The database handle: async engine, SQLite pragmas, and one-transaction-at-a-time helpers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from chatbot.db import json_codec
from chatbot.db.checkpoint import WalCheckpointer
from chatbot.db.sqlite_thread import SqliteThread
from chatbot.errors import StorageError

SQLITE_BUSY_TIMEOUT = 10.0  # seconds a SQLite writer waits for another process's lock
Synchronous = Literal["full", "normal"]
# The databases whose write turn the running task (or the task that started it) holds.
_WRITE_TURNS_HELD: ContextVar[frozenset[int]] = ContextVar("write_turns_held", default=frozenset())
P = ParamSpec("P")
T = TypeVar("T")


class Database:
    """An async SQLAlchemy engine with the settings each backend needs."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        busy_timeout: float = SQLITE_BUSY_TIMEOUT,
        synchronous: Synchronous = "full",
    ) -> None:
        """`synchronous` (SQLite): "full" makes `write_durably` return once it is on disk."""
        self.url = url
        self.durable = synchronous == "full"
        parsed = make_url(url)
        self.backend = parsed.get_backend_name()
        if self.backend not in ("sqlite", "postgresql"):
            raise StorageError(f"unsupported database {self.backend!r}: use SQLite or PostgreSQL")
        kwargs: dict[str, Any] = {"echo": echo, "json_serializer": json_codec.dumps}
        if self.is_sqlite:
            _ensure_sqlite_folder(parsed.database)
            kwargs["connect_args"] = {"timeout": busy_timeout}
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self._writer: SqliteThread | None = None
        self._reader: SqliteThread | None = None
        self.checkpointer: WalCheckpointer | None = None
        if self.is_sqlite:
            configure_sqlite(self.engine.sync_engine, busy_timeout)
            if _is_file(parsed.database):
                file_url = parsed.set(drivername="sqlite")

                def configure(engine: Engine) -> None:
                    configure_sqlite(engine, busy_timeout)

                def configure_writer(engine: Engine) -> None:
                    configure_sqlite(engine, busy_timeout, autocheckpoint=False)

                self._writer = SqliteThread(file_url, busy_timeout, configure_writer)
                self._reader = SqliteThread(file_url, busy_timeout, configure, read_only=True)
                helper = SqliteThread(
                    file_url, busy_timeout, configure, read_only=True, name="sqlite-checkpoint"
                )
                self.checkpointer = WalCheckpointer(self._writer, helper)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: async-session writers queue here (and park the writer
        # thread) rather than in its busy handler, which sleeps in coarse steps.
        self._gate: asyncio.Lock | None = None

    @property
    def is_sqlite(self) -> bool:
        """True on SQLite (single scheduler, database-wide write lock)."""
        return self.backend == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on success, rolled back on error.

        On a SQLite file the writer thread is parked meanwhile, so `write()` or another
        `transaction()` inside it would wait for it to end; they raise StorageError instead.
        """
        async with self._write_turn(), self.sessions() as session, session.begin():
            yield session

    def _refuse_nested_write(self) -> None:
        """Fail at once where waiting for the write turn would wait for this task itself."""
        if id(self) in _WRITE_TURNS_HELD.get():
            raise StorageError(
                "a database write inside db.transaction() would wait for that transaction to "
                "end: finish the transaction first, or do the work in its session"
            )

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        """On SQLite, hold this process's write turn (the writer thread parks meanwhile)."""
        if not self.is_sqlite:
            yield  # PostgreSQL locks rows, not the database
            return
        self._refuse_nested_write()
        if self._gate is None:
            self._gate = asyncio.Lock()
        async with self._gate:
            held = _WRITE_TURNS_HELD.set(_WRITE_TURNS_HELD.get() | {id(self)})
            try:
                if self._writer is None:
                    yield
                    return
                resume = await self._writer.pause()
                try:
                    yield
                finally:
                    resume()
            finally:
                _WRITE_TURNS_HELD.reset(held)

    async def write(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(connection, ...)` in one write transaction: committed when it returns.

        On a SQLite file the whole transaction runs in the writer thread, one hand-over per
        transaction instead of several per statement; elsewhere it runs on the async driver.
        """
        if self._writer is not None:
            return await self._on_writer(False, work, *args, **kwargs)
        async with self._write_turn(), self.engine.begin() as conn:
            return await conn.run_sync(work, *args, **kwargs)

    async def write_durably(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`write`, returning only once the commit is on disk (with synchronous "full").

        For what is acknowledged after it (an inbound message, a CRM event): it then survives
        a power cut. Bookkeeping that can be redone after one (a send recorded) uses `write`.
        """
        if self._writer is not None:
            return await self._on_writer(self.durable, work, *args, **kwargs)
        # PostgreSQL commits are durable already; SQLite in memory or by URI has no writer
        # thread and commits at NORMAL.
        return await self.write(work, *args, **kwargs)

    async def _on_writer(
        self,
        durable: bool,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A write transaction on the SQLite writer thread."""
        assert self._writer is not None
        self._refuse_nested_write()
        # No turn to take: the writer thread runs transactions one after another from its
        # queue, so the loop can hand over the next ones while the current one commits.
        run = self._writer.run_durable if durable else self._writer.run
        result = await run(work, *args, **kwargs)
        if self.checkpointer is not None:
            self.checkpointer.wrote()
        return result

    async def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(connection, ...)` in one read-only transaction (rolled back at the end).

        On a SQLite file it runs on the reader thread, beside the writer (WAL), unqueued.
        """
        if self._reader is not None:
            return await self._reader.run(work, *args, **kwargs)
        async with self.engine.connect() as conn:
            try:
                return await conn.run_sync(work, *args, **kwargs)
            finally:
                await conn.rollback()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A read-only session: on SQLite it reads alongside the writer (WAL), unqueued."""
        async with self.sessions() as session:
            # The first connection() call begins the transaction with these options.
            await session.connection(execution_options={"chatbot_read_only": True})
            try:
                yield session
            finally:
                await session.rollback()

    async def dispose(self) -> None:
        """Close every pooled connection and the writer thread."""
        threads = [self._writer, self._reader]
        if self.checkpointer is not None:
            await self.checkpointer.close()
            threads.append(self.checkpointer.helper)
        for thread in threads:
            if thread is not None:
                await thread.close()
        await self.engine.dispose()


def _is_file(database: str | None) -> bool:
    """Whether the SQLite database is a plain file (not in memory, not a URI)."""
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def _ensure_sqlite_folder(database: str | None) -> None:
    if _is_file(database):
        Path(str(database)).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def configure_sqlite(engine: Engine, busy_timeout: float, *, autocheckpoint: bool = True) -> None:
    """WAL, busy_timeout, foreign keys, and BEGIN IMMEDIATE for read-then-write transactions.

    Without `autocheckpoint` the connection leaves WAL checkpoints to a `WalCheckpointer`.
    Commits do not wait for the disk (synchronous NORMAL: a crashed process loses nothing, a
    power cut may lose the last seconds); `Database.write_durably` waits for the ones that must.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (the driver would otherwise defer it to the first write).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: no deadlock when a reader later writes.
        # Read-only snapshots use a plain BEGIN so they neither wait for nor block writers.
        read_only = conn.get_execution_options().get("chatbot_read_only", False)
        # Straight to the driver: a statement through SQLAlchemy's execution path costs a
        # few dozen microseconds, paid on every transaction.
        sql = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql)
        except dbapi.Error as exc:  # "database is locked" as SQLAlchemy's OperationalError
            raise DBAPIError.instance(sql, (), exc, dbapi.Error) from exc
        finally:
            cursor.close()
