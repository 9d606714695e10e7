"""Several instances starting at once on one PostgreSQL database migrate it once, in turn."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from chatbot.db.database import Database
from chatbot.db.migrate import current_revision, head_revision
from tests.conftest import ROOT, _reset_pg

pytestmark = pytest.mark.postgres


async def test_instances_migrating_together_all_succeed(pg_database_url: str) -> None:
    await _reset_pg(pg_database_url)
    env = {**os.environ, "DATABASE_URL": pg_database_url, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "chatbot.cli", "migrate"]
    pipe = asyncio.subprocess.PIPE
    processes = [
        await asyncio.create_subprocess_exec(*command, env=env, stdout=pipe, stderr=pipe)
        for _ in range(3)
    ]
    results = [await asyncio.wait_for(p.communicate(), timeout=120) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err.decode()
    db = Database(pg_database_url)
    try:
        assert await current_revision(db) == head_revision()
    finally:
        await db.dispose()
