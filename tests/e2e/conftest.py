"""Fixtures of the end-to-end tests: the fake Bot API and `chatbot run` processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest

from tests.channels.fake_bot_api import FakeBotApi
from tests.e2e.bot_process import BotProcess, always_open_flows

MakeBot = Callable[..., BotProcess]


@pytest.fixture
async def make_bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[MakeBot]:
    """Builds (unstarted) `chatbot run` processes on a fresh SQLite file; kills leftovers."""
    made: list[BotProcess] = []

    def make(
        timers: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None
    ) -> BotProcess:
        flows = always_open_flows(tmp_path, timers)
        bot = BotProcess(tmp_path, api.base, flows, env or {})
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bot.close()
