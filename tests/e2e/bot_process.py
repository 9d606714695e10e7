"""`chatbot run` as a child process: start, kill, restart on the same database, read its rows."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from chatbot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from tests.channels.fake_bot_api import TOKEN
from tests.conftest import ROOT

SECRET = "e2e-webhook-secret"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def always_open_flows(folder: Path, timers: Mapping[str, str] | None = None) -> Path:
    """A copy of flows/ in which the shop never closes, with some timers shortened.

    The process runs on the real clock, so without this the replies would depend on the hour
    the tests run at (an off-hours note first, proactive messages moved to the morning). A
    shop with no opening hours at all counts as always open (engine/worktime.py).
    """
    target = folder / "flows"
    shutil.copytree(ROOT / "flows", target)
    shop = target / "shop.yaml"
    text = shop.read_text(encoding="utf-8")
    for day in _WEEKDAYS:
        text, count = re.subn(rf'(?m)^(\s+{day}): "[^"]*"$', r"\1: null", text)
        assert count == 1, f"shop.yaml has no hours line for {day}"
    text, count = re.subn(r"(?m)^(\s+holidays:) \[.*\]$", r"\1 []", text)
    assert count == 1, "shop.yaml has no holidays line"
    shop.write_text(text, encoding="utf-8")
    dialog = target / "dialog.yaml"
    text = dialog.read_text(encoding="utf-8")
    for name, after in (timers or {}).items():
        text, count = re.subn(rf"(?m)^(  {name}:\n    after:) \S+$", rf"\1 {after}", text)
        assert count == 1, f"dialog.yaml has no timer {name}"
    dialog.write_text(text, encoding="utf-8")
    return target


class BotProcess:
    """One `chatbot run` in webhook mode against a fake Bot API, restartable on its database."""

    def __init__(
        self, folder: Path, api_base: str, flows: Path, extra_env: Mapping[str, str] | None = None
    ) -> None:
        self.folder = folder
        self.database = folder / "bot.db"
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            "FLOWS_DIR": str(flows),
            "PROMPTS_DIR": str(ROOT / "prompts"),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": api_base,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            **dict(extra_env or {}),
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.http = aiohttp.ClientSession()

    @property
    def log_file(self) -> Path:
        """Where the current run's stderr goes (a file, so a full pipe can never block it)."""
        return self.folder / f"run-{self.starts}.log"

    @property
    def url(self) -> str:
        """The base URL of the process's HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start the process and wait until /healthz answers and the webhook is registered."""
        assert self.process is None or self.process.returncode is not None
        self.starts += 1
        with self.log_file.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "chatbot.cli",
                "run",
                env=self.env,
                cwd=self.folder,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        for _ in range(300):
            if self.process.returncode is not None:
                pytest.fail(f"chatbot run exited: {self.log()}")
            if await self._healthy():
                return
            await asyncio.sleep(0.1)
        pytest.fail("chatbot run did not come up")

    async def _healthy(self) -> bool:
        try:
            async with self.http.get(f"{self.url}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientConnectionError:
            return False

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut or the OOM killer."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> str:
        """SIGTERM and wait; fails unless the process exits cleanly. Returns its log."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), timeout=30)
        assert self.process.returncode == 0, self.log()
        return self.log()

    async def close(self) -> None:
        """Kill the process if a test left it running; close the HTTP client."""
        if self.process is not None and self.process.returncode is None:
            await self.kill()
        await self.http.close()

    def log(self) -> str:
        """What the current run wrote to stderr."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    async def post(self, update: Mapping[str, Any]) -> int:
        """Deliver one update to the webhook as Telegram does; returns the HTTP status."""
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        body = json.dumps(update)
        async with self.http.post(f"{self.url}{WEBHOOK_PATH}", data=body, headers=headers) as r:
            return r.status

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of a query on the process's SQLite database (WAL lets it read alongside)."""
        with contextlib.closing(sqlite3.connect(self.database)) as conn:
            return list(conn.execute(sql, params))


async def eventually(check: Callable[[], object], seconds: float = 30.0) -> None:
    """Wait until `check()` is true; the generous limit only bounds a hung test."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("the condition did not come true in time")
        await asyncio.sleep(0.02)
