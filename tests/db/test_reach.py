"""open_database: a database that cannot be opened is one StorageError line with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.db.reach import FIX_REACH, FIX_URL, open_database
from chatbot.errors import StorageError
from tests.conftest import closed_port


async def test_a_refused_connection_names_the_url_the_reason_and_the_fix() -> None:
    port = closed_port()
    url = f"postgresql+asyncpg://root:secret@127.0.0.1:{port}/shop"
    with pytest.raises(StorageError) as caught:
        await open_database(url)
    assert str(caught.value) == (
        f"DATABASE_URL='postgresql+asyncpg://root:***@127.0.0.1:{port}/shop' cannot be reached: "
        f"ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', {port}) "
        f"({FIX_REACH})"
    )


async def test_a_port_that_is_not_a_number_is_not_usable() -> None:
    with pytest.raises(StorageError) as caught:
        await open_database("postgresql+asyncpg://root@127.0.0.1:abc/shop")
    assert str(caught.value) == (
        "DATABASE_URL='postgresql+asyncpg://root@127.0.0.1:abc/shop' is not usable: ValueError: "
        f"invalid literal for int() with base 10: 'abc' ({FIX_URL})"
    )


async def test_a_sqlite_file_whose_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    url = f"sqlite+aiosqlite:///{blocker}/bot.db"
    with pytest.raises(StorageError, match=r"^DATABASE_URL='.*' is not usable: FileExistsError: "):
        await open_database(url)


async def test_a_reachable_database_is_returned_open(tmp_path: Path) -> None:
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        assert db.is_sqlite
        assert (tmp_path / "bot.db").exists()
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_a_missing_postgres_database_is_named(pg_database_url: str) -> None:
    url = pg_database_url.rsplit("/", 1)[0] + "/chatbot_no_such_database"
    with pytest.raises(StorageError) as caught:
        await open_database(url)
    assert 'database "chatbot_no_such_database" does not exist' in str(caught.value)
    assert str(caught.value).endswith(f"({FIX_REACH})")
