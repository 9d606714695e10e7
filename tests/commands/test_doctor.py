"""`chatbot doctor`: a checklist with fixes, exit 1 on a failure, the same as JSON."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from chatbot.cli import build_parser, main
from tests.channels.fake_bot_api import BOT_USER, TOKEN, FakeBotApi

MANAGERS = "-1001234567890"


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeBotApi) -> FakeBotApi:
    """Settings of a Telegram shop against the fake, its database migrated."""
    monkeypatch.chdir(tmp_path)  # no .env of the project's
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE", api.base)
    monkeypatch.setenv("MANAGERS_CHAT_ID", MANAGERS)
    assert main(["migrate"]) == 0
    return api


async def _doctor(*options: str) -> int:
    """The command in a thread: its own event loop, while the fake answers on this one."""
    return await asyncio.to_thread(main, ["doctor", *options])


async def test_the_checklist_names_the_failure_and_its_fix(
    deployment: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert await _doctor() == 1  # the bot is not in the managers' group yet
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ok   database ")
    assert lines[1] == "ok   telegram.token           @shop_test_bot (id 123456)"
    assert lines[3].startswith("fail telegram.managers_chat   MANAGERS_CHAT_ID=-1001234567890:")
    assert lines[4].startswith("     fix: add @shop_test_bot to the group")
    assert lines[-1] == "1 check(s) failed"


async def test_json_and_exit_0_once_fixed(
    deployment: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.member(BOT_USER["id"], "member")
    capsys.readouterr()
    assert await _doctor("--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("database", "ok"),
        ("telegram.token", "ok"),
        ("telegram.webhook", "skip"),
        ("telegram.managers_chat", "ok"),
        ("telegram.supervisor_chat", "skip"),
        ("whatsapp", "skip"),
        ("llm", "skip"),
    ]


def test_the_help_describes_it_with_an_example() -> None:
    text = build_parser("doctor")._subparsers._group_actions[0].choices["doctor"].format_help()  # type: ignore[union-attr]
    assert "getWebhookInfo" in text
    assert "example:\n  chatbot doctor" in text
