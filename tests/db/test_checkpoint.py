"""WAL checkpoints run beside the writer, and the WAL stays short under a steady stream."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Connection, func, select, text

from chatbot.db.database import Database

PAGE = 4096
FRAME = 24 + PAGE  # a WAL frame: its header and one page
_INSERT = text("INSERT INTO probe (body) VALUES (:b)")


def _insert(conn: Connection, i: int) -> None:
    conn.execute(_INSERT, {"b": f"row {i} " + "x" * 200})


async def _stream(
    tmp_path: Path, writes: int, every: int, limit: int, pace: float = 0.0
) -> tuple[int, int]:
    """Commit `writes` one-row transactions; the WAL's size in frames and the rows stored."""
    path = tmp_path / "bot.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    assert db.checkpointer is not None
    db.checkpointer.every = every
    db.checkpointer.limit_frames = limit
    try:
        async with db.transaction() as s:
            await s.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, body TEXT)"))
        for i in range(writes):
            await db.write(_insert, i)
            # Paced like a busy shop's traffic (hundreds of events a second), not flat out: a
            # flat-out loop on a loaded machine outruns any background copy, and the test
            # would measure the machine's load instead of the checkpointer.
            await asyncio.sleep(pace)
        wal_frames = (path.with_name("bot.db-wal").stat().st_size - 32) // FRAME
        async with db.snapshot() as s:
            stored = await s.scalar(select(func.count()).select_from(text("probe")))
    finally:
        await db.dispose()
    return wal_frames, int(stored or 0)


async def test_the_writer_never_checkpoints_inside_a_commit(tmp_path: Path) -> None:
    # No background checkpoint is due: SQLite's own would have run at 1000 frames.
    frames, stored = await _stream(tmp_path, 1500, every=10**9, limit=10**9)
    assert stored == 1500
    assert frames > 1000


async def test_background_checkpoints_keep_the_wal_short(tmp_path: Path) -> None:
    frames, stored = await _stream(tmp_path, 1500, every=20, limit=100, pace=0.002)
    assert stored == 1500
    assert frames < 400
