"""Settings of the managers' side: MANAGER_IDS, and nothing wired without a managers' chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from chatbot.channels.telegram import telegram_channel_from
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.managers.setup import attach_managers
from chatbot.service.app import open_app
from tests.channels.fake_bot_api import FakeBotApi
from tests.managers.conftest import START, shop_settings


@pytest.mark.parametrize(
    ("given", "ids"), [("", ()), ("12", (12,)), ("12, 34 56", (12, 34, 56)), ("-1,2", (-1, 2))]
)
def test_manager_ids_are_a_list_of_numbers(given: str, ids: tuple[int, ...]) -> None:
    assert Settings(_env_file=None, MANAGER_IDS=given).manager_ids == ids  # type: ignore[call-arg]


def test_a_manager_id_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="MANAGER_IDS"):
        Settings(_env_file=None, MANAGER_IDS="12,olga")  # type: ignore[call-arg]


async def test_without_a_managers_chat_nothing_is_attached(api: FakeBotApi, tmp_path: Path) -> None:
    settings = shop_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", api, "http://127.0.0.1:9", MANAGERS_CHAT_ID=None
    )
    telegram = telegram_channel_from(settings)
    assert telegram is not None
    app = await open_app(settings, VirtualClock(START))
    try:
        assert attach_managers(settings, telegram, app) is None
        assert telegram.staff is None
    finally:
        await telegram.close()
        await app.close()
