"""`chatbot run` as a separate process, talked to only over HTTP: fake Bot API, events API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.channels.fake_bot_api import TOKEN, FakeBotApi
from tests.channels.updates import text
from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.close()


async def _wait_for(check: object, seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    pytest.fail("the condition did not come true in time")


async def test_run_serves_telegram_and_the_events_api(api: FakeBotApi, tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base,
        "EVENTS_API_TOKEN": "events-secret",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chatbot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            for _ in range(200):
                if await healthy():
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("chatbot run did not come up")
            api.push(text("Здравствуйте", update_id=1, message_id=10))
            await _wait_for(lambda: api.called("sendMessage"))
            menu = api.called("sendMessage")[0]
            assert "Чем помочь?" in menu["text"]
            assert "reply_markup" in menu
            customer = {"channel": "telegram", "chat_id": str(menu["chat_id"])}
            event = {"id": "e-1", "type": "missed_call", "customer": customer}
            headers = {"Authorization": "Bearer events-secret"}
            url = f"http://127.0.0.1:{port}/api/events"
            async with http.post(url, json=event, headers=headers) as response:
                assert response.status == 202
            await _wait_for(lambda: len(api.called("sendMessage")) >= 2)
            assert "пропустили ваш звонок" in api.called("sendMessage")[1]["text"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    assert "Здравствуйте" not in err.decode()  # no message text in the logs at INFO
