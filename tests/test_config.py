"""Settings: how durable SQLite commits are, as the environment says."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from chatbot.config import Settings
from chatbot.core.clock import SystemClock
from chatbot.service.app import open_app
from tests.conftest import ROOT


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_commits_wait_for_the_disk_unless_told_otherwise() -> None:
    assert _settings().sqlite_synchronous == "full"
    assert _settings(SQLITE_SYNCHRONOUS="NORMAL").sqlite_synchronous == "normal"
    with pytest.raises(ValidationError, match="SQLITE_SYNCHRONOUS"):
        _settings(SQLITE_SYNCHRONOUS="off")


@pytest.mark.parametrize(("chosen", "level"), [("full", 2), ("normal", 1)])
async def test_the_bot_opens_its_database_as_configured(
    tmp_path: Path, chosen: str, level: int
) -> None:
    settings = _settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                         FLOWS_DIR=ROOT / "flows", PROMPTS_DIR=ROOT / "prompts",
                         SQLITE_SYNCHRONOUS=chosen)  # fmt: skip
    app = await open_app(settings, SystemClock())
    pragma = text("PRAGMA synchronous")
    try:
        # The level an event's transaction commits at (2 FULL, 1 NORMAL).
        found = await app.db.write_durably(lambda c: int(c.execute(pragma).scalar_one()))
    finally:
        await app.close()
    assert found == level
