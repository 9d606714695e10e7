"""/readyz of a running bot against the fake Bot API, and the reasons it gives."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from chatbot.channels.telegram import telegram_channel_from
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import open_app
from chatbot.service.readiness import readiness_problems
from chatbot.service.runtime import Runtime
from tests.channels.fake_bot_api import TOKEN, FakeBotApi
from tests.conftest import ROOT
from tests.service.conftest import START


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings(tmp_path: Path, api: FakeBotApi, token: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ready.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE=api.base,
    )


async def _serve_until(
    settings: Settings, done: Callable[[int, dict[str, Any]], bool]
) -> tuple[int, dict[str, Any]]:
    """Run the bot as `chatbot run` does; poll /readyz until `done` accepts an answer."""
    app = await open_app(settings, VirtualClock(START))
    telegram = telegram_channel_from(settings)
    assert telegram is not None
    telegram.backoff = 0.1
    runtime = Runtime(app, channels=[telegram])
    port, stop = _free_port(), asyncio.Event()
    serving = asyncio.create_task(runtime.serve(stop, "127.0.0.1", port))
    answer: tuple[int, dict[str, Any]] = (0, {})
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as alive:
                        assert alive.status == 200
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                        answer = response.status, await response.json()
                except aiohttp.ClientConnectionError:
                    pass
                if answer[0] and done(*answer):
                    return answer
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(serving, timeout=15)
        await telegram.close()
        await app.close()
    pytest.fail(f"/readyz never gave the awaited answer; the last was {answer}")


async def test_readyz_is_503_with_the_reason_when_telegram_refuses_the_token(
    api: FakeBotApi, tmp_path: Path
) -> None:
    status, body = await _serve_until(
        _settings(tmp_path, api, "999:revoked-token"),
        lambda _, body: "Unauthorized" in str(body),
    )
    assert status == 503
    assert body["status"] == "not ready"
    [problem] = body["problems"]
    assert problem.startswith("telegram: start-up failed: TelegramUnauthorizedError")


async def test_readyz_is_200_once_telegram_is_connected(api: FakeBotApi, tmp_path: Path) -> None:
    status, body = await _serve_until(_settings(tmp_path, api, TOKEN), lambda s, _: s == 200)
    assert status == 200
    assert body == {"status": "ready"}
    assert api.called("getMe")


async def test_a_due_message_left_unsent_is_a_stuck_outbox(tmp_path: Path, api: FakeBotApi) -> None:
    app = await open_app(_settings(tmp_path, api, TOKEN), VirtualClock(START))
    try:
        await app.pipeline.handle(Inbound("telegram", "1", IncomingText("здравствуйте"), "m1"))
        now = app.pipeline.clock.now()
        assert await readiness_problems(app.db, [], ["telegram"], now) == []
        later = await readiness_problems(app.db, [], ["telegram"], now + timedelta(minutes=5))
        assert later == ["outbox: a message has been due for 300 s and is not sent"]
        # Rows of a channel no sender serves are not the sender's to be stuck on.
        assert await readiness_problems(app.db, [], [], now + timedelta(minutes=5)) == []
    finally:
        await app.close()


async def test_a_database_that_fails_is_a_reason(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    try:
        [problem] = await readiness_problems(db, [], ["telegram"], START)
    finally:
        await db.dispose()
    assert problem.startswith("database: OperationalError")
    assert "no such table: outbox" in problem
