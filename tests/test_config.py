"""Settings: how durable SQLite commits are, as the environment says."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from chatbot.config import Settings, settings_problems
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
    settings = _settings(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        SQLITE_SYNCHRONOUS=chosen,
    )
    app = await open_app(settings, SystemClock())
    pragma = text("PRAGMA synchronous")
    try:
        # The level an event's transaction commits at (2 FULL, 1 NORMAL).
        found = await app.db.write_durably(lambda c: int(c.execute(pragma).scalar_one()))
    finally:
        await app.close()
    assert found == level


def test_a_bad_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from chatbot.cli import main

    monkeypatch.setenv("HTTP_PORT", "abc")
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    assert main(["validate"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 2  # one per bad setting, no traceback
    assert lines[0].startswith("chatbot: setting HTTP_PORT='abc' is not valid: ")
    assert lines[1].startswith("chatbot: setting LOG_LEVEL='VERBOSE' is not valid: ")
    assert "'DEBUG', 'INFO'" in lines[1]


def test_a_log_level_in_any_case_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "warning")
    assert Settings().log_level == "WARNING"


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///storage/chatbot.db", "postgresql+asyncpg://bot:pw@db:5432/shop"]
)
def test_database_urls_of_the_installed_drivers_are_taken(url: str) -> None:
    assert _settings(DATABASE_URL=url).database_url == url


@pytest.mark.parametrize(
    "url", ["postgresql://bot@db/shop", "sqlite:///storage/chatbot.db", "mysql+aiomysql://db/x"]
)
def test_a_database_url_without_an_installed_async_driver_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="must start with sqlite"):
        _settings(DATABASE_URL=url)


def test_a_bad_database_url_is_shown_without_its_password() -> None:
    with pytest.raises(ValidationError) as caught:
        _settings(DATABASE_URL="postgres://bot:hunter2@db/shop")
    [line] = settings_problems(caught.value)
    assert line.startswith("setting DATABASE_URL='postgres://bot:***@db/shop' is not valid: ")
    assert "hunter2" not in line
