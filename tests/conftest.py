"""Fixtures shared by every test: databases on SQLite and PostgreSQL, the shared folder."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from tests.channels.fake_bot_api import FakeBotApi

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("DATABASE_URL_PG", "postgresql+asyncpg://root@127.0.0.1:5432/test")


def shared_dir() -> Path:
    """The ../shared folder (or CHATBOT_SHARED_DIR)."""
    return Path(os.environ.get("CHATBOT_SHARED_DIR", ROOT.parent / "shared"))


async def _pg_reachable() -> str | None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure to connect means "skip", with the reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


def _run_in_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread (safe inside a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    reason = _run_in_thread(_pg_reachable)
    if reason is not None:
        pytest.skip(reason)
    name = f"chatbot_test_{uuid.uuid4().hex[:10]}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    async def _admin(sql: str) -> None:
        engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    _run_in_thread(lambda: _admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        _run_in_thread(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _reset_pg(url: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("pg_database_url")
        await _reset_pg(url)
    database = Database(url)
    await upgrade(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Telegram Bot API server on 127.0.0.1."""
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.close()


def closed_port() -> int:
    """A local port nothing listens on (bound once, then released): connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def edit_file(path: Path, old: str, new: str) -> int:
    """Replace `old` once (it must be there) and return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1
