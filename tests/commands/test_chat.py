"""`chatbot chat`: a terminal conversation with menus, /wait, /event, /manager and /block."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatbot.commands.chat import ChatSession
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.service.app import open_app
from tests.conftest import ROOT


@pytest.fixture
async def session(tmp_path: Path) -> ChatSession:
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
                        FLOWS_DIR=ROOT / "flows")  # fmt: skip
    clock = VirtualClock(datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow")))
    app = await open_app(settings, clock)
    yield ChatSession(app, clock, "local", "Анна", color=False)
    await app.close()


async def test_menu_is_numbered_and_trace_beside(session: ChatSession) -> None:
    out = await session.handle("Здравствуйте")
    assert any(line.startswith("bot> Здравствуйте! Это магазин") for line in out)
    assert "     [1. Заказ / подбор]" in out
    assert any("intent greeting" in line for line in out)
    assert any("stage new -> menu" in line for line in out)


async def test_wait_fires_timers(session: ChatSession) -> None:
    await session.handle("я подумаю")
    out = await session.handle("/wait 25h")
    assert any("timer fired nudge_1" in line for line in out)
    assert any(line.startswith("bot> Здравствуйте, Анна!") for line in out)
    assert out[-1].startswith("clock: Tue 03.03.2026 12:00")


async def test_event_manager_and_block(session: ChatSession) -> None:
    out = await session.handle("/event order_created order_id=A-1 amount=2500")
    assert any("A-1" in line and "2500" in line for line in out)
    out = await session.handle("/manager Добрый день!")
    assert "manager> Добрый день!" in out
    out = await session.handle("/block")
    assert any("closed (bot_blocked)" in line for line in out)
    out = await session.handle("/wait 3d")
    assert not any(line.startswith("bot>") for line in out)


async def test_unknown_command_and_help(session: ChatSession) -> None:
    assert (await session.handle("/fly"))[0].startswith("unknown command /fly")
    assert "/wait 25h" in (await session.handle("/help"))[0]
    assert (await session.handle("/wait nope"))[0].startswith("bad duration")


def test_a_first_run_opens_on_the_conversation(tmp_path: Path) -> None:
    env = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'first.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-c", "from chatbot.cli import main; raise SystemExit(main(['chat']))"],
        input="Здравствуйте\n/quit\n", capture_output=True, text=True, env=env, timeout=120,
        cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "bot> Здравствуйте! Это магазин" in done.stdout
    assert "alembic" not in done.stderr  # the tables were created without a word about it
    assert (tmp_path / "first.db").exists()
