"""WAL checkpoints off the write path: copied in the background, caught up by the writer at a cap.

SQLite's own automatic checkpoint runs inside the commit that crosses its threshold, so every
few hundred events one of them waits while a thousand pages are copied and synced, and the
events queued behind it wait too. Here a helper thread copies committed pages while the writer
goes on. A copy that runs beside writes never catches up completely, and only a complete one
lets the WAL start over from its beginning; so when the WAL passes a cap, the writer takes one
turn to finish the copy (by then short), and the WAL restarts.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from chatbot.db.sqlite_thread import SqliteThread

CHECKPOINT_EVERY = 100  # write transactions between background copies (about 1000 pages)
WAL_LIMIT_FRAMES = 20_000  # about 80 MB of 4 KB pages

log = logging.getLogger(__name__)


def passive_checkpoint(raw: sqlite3.Connection) -> tuple[int, int]:
    """Copy what committed WAL pages it can into the database: (pages in WAL, pages copied)."""
    _busy, in_wal, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(in_wal), int(copied)


class WalCheckpointer:
    """Counts committed writes and keeps the WAL short without holding up the writer."""

    def __init__(
        self,
        writer: SqliteThread,
        helper: SqliteThread,
        *,
        every: int = CHECKPOINT_EVERY,
        limit_frames: int = WAL_LIMIT_FRAMES,
    ) -> None:
        self._writer = writer
        self.helper = helper
        self.every = every
        self.limit_frames = limit_frames
        self._count = 0
        self._task: asyncio.Task[None] | None = None

    def wrote(self) -> None:
        """Count one committed write; every `every` of them start a background checkpoint."""
        self._count += 1
        if self._count >= self.every and self._task is None:
            self._count = 0
            self._task = asyncio.get_running_loop().create_task(self._checkpoint())
            self._task.add_done_callback(self._finished)

    async def _checkpoint(self) -> None:
        in_wal, _copied = await self.helper.call(passive_checkpoint)
        if in_wal >= self.limit_frames:
            # Nothing is appended while the writer runs this, so it finishes the copy and the
            # next transaction starts the WAL over.
            await self._writer.call(passive_checkpoint)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._task = None
        if not task.cancelled() and (error := task.exception()) is not None:
            # Not fatal: the next one retries, and SQLite checkpoints on close anyway.
            log.warning("database.checkpoint_failed", extra={"error": repr(error)})

    async def close(self) -> None:
        """Wait for a running checkpoint to end."""
        if self._task is not None:
            await asyncio.wait([self._task])
