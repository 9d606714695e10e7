"""`chatbot chat`: a terminal conversation with menus, /wait, /event, /manager and /block."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, and_, not_, select

from chatbot.channels.console import CHANNEL
from chatbot.commands.chat import ChatSession
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.db.tables import DialogRow, OutboxRow, TimerRow
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import open_app
from tests.conftest import ROOT

START = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))


async def _open(url: str, chat_id: str) -> ChatSession:
    """A chat as `chat_id` on the database at `url`, its clock at Monday 11:00 shop time."""
    clock = VirtualClock(START)
    app = await open_app(Settings(DATABASE_URL=url, FLOWS_DIR=ROOT / "flows"), clock)
    return ChatSession(app, clock, chat_id, "Анна", color=False)


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[ChatSession]:
    chat = await _open(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}", "local")
    yield chat
    await chat.app.close()


@pytest.fixture
async def shared(db: Database) -> AsyncIterator[ChatSession]:
    """A chat as X on a server's database (each backend) that other customers already use."""
    chat = await _open(db.url, "X")
    for channel, chat_id, text in [
        ("telegram", "100", "Здравствуйте"),  # the 7-day silence timer
        ("telegram", "200", "я подумаю"),  # the nudges and the silence timer
        (CHANNEL, "earlier", "я подумаю"),  # an earlier chat: its reply is still pending
    ]:
        await chat.app.pipeline.handle(Inbound(channel, chat_id, IncomingText(text), chat_id))
    yield chat
    await chat.app.close()


def _rows(conn: Connection, chat_id: str, mine: bool) -> dict[str, list[dict[str, object]]]:
    """Every column of the dialog, timer and outbox rows of the chat, or of all other dialogs."""
    chat = and_(DialogRow.channel == CHANNEL, DialogRow.chat_id == chat_id)
    ids = select(DialogRow.id).where(chat if mine else not_(chat))
    found = {}
    for row, dialog_id in [
        (DialogRow, DialogRow.id),
        (TimerRow, TimerRow.dialog_id),
        (OutboxRow, OutboxRow.dialog_id),
    ]:
        query = select(row.__table__).where(dialog_id.in_(ids)).order_by(row.id)
        found[row.__tablename__] = [dict(r._mapping) for r in conn.execute(query)]
    return found


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


async def test_a_chat_on_a_shared_database_changes_only_its_own_dialog(
    shared: ChatSession,
) -> None:
    db = shared.app.db
    theirs = await db.read(_rows, "X", False)
    assert sorted(t["name"] for t in theirs["timers"]) == ["inactivity"] * 3 + ["nudge_1"] * 2
    assert [o["status"] for o in theirs["outbox"]] == ["pending"] * 3
    await shared.handle("я подумаю")
    mine = await db.read(_rows, "X", True)
    assert {t["name"] for t in mine["timers"]} == {"inactivity", "nudge_1"}
    out = await shared.handle("/wait 30d")
    assert "   · timer fired nudge_1" in out
    assert "   · closed (no_reply)" in out
    assert not any("Конечно, подумайте" in line for line in out)  # not the earlier chat's reply
    assert await db.read(_rows, "X", False) == theirs
    after = await db.read(_rows, "X", True)
    assert after["timers"] == []
    assert [(d["closed"], d["close_reason"]) for d in after["dialogs"]] == [(True, "no_reply")]
    assert [o["status"] for o in after["outbox"]] == ["sent"] * 3  # the reply and two nudges


async def test_the_chat_says_when_the_database_holds_other_dialogs(
    session: ChatSession,
) -> None:
    await session.handle("Здравствуйте")
    assert await session.notice() is None  # its own dialog is no other
    other = Inbound("telegram", "100", IncomingText("Здравствуйте"), "t-1")
    await session.app.pipeline.handle(other)
    assert await session.notice() == (
        "this database holds 1 other dialog; this chat's clock and messages touch only "
        "console:local"
    )


def _run_chat(folder: Path, args: list[str], typed: str) -> subprocess.CompletedProcess[str]:
    """`chatbot chat ARGS` in a process of its own on folder/first.db, with `typed` as input."""
    env = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'first.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    code = f"from chatbot.cli import main; raise SystemExit(main(['chat', *{args!r}]))"
    return subprocess.run(
        [sys.executable, "-c", code],
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=folder,
        check=False,
    )


def test_a_first_run_opens_on_the_conversation(tmp_path: Path) -> None:
    done = _run_chat(tmp_path, [], "Здравствуйте\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "bot> Здравствуйте! Это магазин" in done.stdout
    assert "other dialog" not in done.stdout  # nobody else in a new database
    assert "alembic" not in done.stderr  # the tables were created without a word about it
    assert (tmp_path / "first.db").exists()


def test_a_chat_on_a_used_database_says_so_before_the_conversation(tmp_path: Path) -> None:
    assert _run_chat(tmp_path, [], "Здравствуйте\n/quit\n").returncode == 0
    done = _run_chat(tmp_path, ["--chat-id", "second"], "/quit\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == (
        "this database holds 1 other dialog; this chat's clock and messages touch only "
        "console:second"
    )
