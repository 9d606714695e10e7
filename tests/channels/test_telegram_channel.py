"""The Telegram channel against the fake Bot API: polling, webhook, start-up settings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiohttp import web
from aiohttp.test_utils import TestServer

from chatbot.channels.telegram import TelegramChannel, telegram_channel_from
from chatbot.config import Settings
from chatbot.core.events import Blocked
from chatbot.errors import ConfigError
from chatbot.ports.inbound import IncomingText
from tests.channels import updates as u
from tests.channels.conftest import Recorder, running
from tests.channels.fake_bot_api import SERVER_ERROR, TOKEN, FakeBotApi, too_many_requests

SECRET = "s3cret_Token-1"
URL = "https://bot.example/telegram/webhook"


async def _until(condition: Any) -> None:
    """Wait (at most 3 s) for a condition the background channel makes true."""
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition did not come true within 3 s")


def _polling(bot: Bot) -> TelegramChannel:
    return TelegramChannel(bot, poll_timeout=1, backoff=0.05)


# -- polling -----------------------------------------------------------------------------------


async def test_polling_hands_updates_over_and_confirms_them(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    first = api.push(u.text("Здравствуйте", message_id=1))
    api.push(u.text("Сколько стоит?", message_id=2))
    async with running(_polling(bot), recorder):
        inbounds = await recorder.wait_for(2)
        await _until(lambda: not api.pending)
    assert [i.payload for i in inbounds] == [
        IncomingText("Здравствуйте"),
        IncomingText("Сколько стоит?"),
    ]
    assert api.called("deleteWebhook")[0]["drop_pending_updates"] == "false"  # form-encoded
    offsets = [c.get("offset") for c in api.called("getUpdates")]
    assert str(first + 2) in offsets  # confirmed past both, only after they were handled


async def test_an_update_the_pipeline_failed_on_is_delivered_again(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    recorder.failures = 2
    update_id = api.push(u.text("Здравствуйте"))
    async with running(_polling(bot), recorder):
        [inbound] = await recorder.wait_for(1)
        await _until(lambda: not api.pending)
    assert inbound.payload == IncomingText("Здравствуйте")
    served = [c for c in api.called("getUpdates") if c.get("offset") in (None, str(update_id))]
    assert len(served) >= 3  # fetched again while the handler kept failing


async def test_a_failure_in_one_chat_does_not_lose_the_other_chats_updates(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    recorder.failures = 1
    api.push(u.text("one", where=u.chat(1), sender=u.user(1), message_id=1))
    api.push(u.text("two", where=u.chat(2), sender=u.user(2), message_id=1))
    async with running(_polling(bot), recorder):
        await recorder.wait_for(2)
        await _until(lambda: not api.pending)
    assert sorted(i.chat_id for i in recorder.inbounds) in (["1", "2"], ["1", "2", "2"])


async def test_callback_queries_are_answered_after_the_press_is_stored(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    api.push(u.callback("order", query_id="cq-7"))
    async with running(_polling(bot), recorder):
        [inbound] = await recorder.wait_for(1)
        await _until(lambda: api.called("answerCallbackQuery"))
    assert inbound.payload == IncomingText("order", button="order")
    assert api.called("answerCallbackQuery")[0]["callback_query_id"] == "cq-7"


async def test_blocking_the_bot_becomes_a_blocked_event(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    api.push(u.member("member", "kicked"))
    async with running(_polling(bot), recorder):
        [inbound] = await recorder.wait_for(1)
    assert (inbound.chat_id, inbound.payload) == (str(u.CUSTOMER_ID), Blocked())


async def test_rejected_updates_are_skipped_and_polling_goes_on(
    api: FakeBotApi, bot: Bot, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    api.push({"message": {"message_id": 1, "text": "old capture without chat"}})
    api.push({"edited_message": u.text("edited")["message"]})
    api.push(u.text("Здравствуйте"))
    async with running(_polling(bot), recorder):
        [inbound] = await recorder.wait_for(1)
        await _until(lambda: not api.pending)
    assert inbound.payload == IncomingText("Здравствуйте")
    assert "telegram.update_rejected" in caplog.messages


async def test_telegram_errors_are_backed_off_and_polling_continues(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    api.fail("getUpdates", SERVER_ERROR, SERVER_ERROR)
    api.fail("getMe", SERVER_ERROR)
    api.push(u.text("Здравствуйте"))
    async with running(_polling(bot), recorder):
        await recorder.wait_for(1)
    assert [c.status for c in api.calls if c.method == "getUpdates"][:3] == [502, 502, 200]


async def test_flood_control_on_polling_waits_retry_after(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    api.fail("getUpdates", too_many_requests(1))
    api.push(u.text("Здравствуйте"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with running(_polling(bot), recorder):
        await recorder.wait_for(1)
    assert loop.time() - started >= 0.9


async def test_stopping_interrupts_a_long_poll(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    api.poll_wait_cap = 60.0
    channel = TelegramChannel(bot, poll_timeout=50)
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run(recorder, stop))
    await _until(lambda: api.called("deleteWebhook") and api.calls[-1].method == "getUpdates")
    stop.set()
    async with asyncio.timeout(1.0):
        await task
    assert channel.routes() == []


# -- webhook -----------------------------------------------------------------------------------


@pytest.fixture
async def webhook(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    channel = TelegramChannel(bot, webhook_url=URL, webhook_secret=SECRET)
    application = web.Application()
    application.router.add_routes(channel.routes())
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    async with running(channel, recorder), aiohttp.ClientSession() as session:
        await _until(lambda: api.webhook is not None)
        yield session, str(server.make_url("/telegram/webhook"))
    await server.close()


async def _post(
    webhook: tuple[aiohttp.ClientSession, str], body: bytes, secret: str | None = SECRET
) -> tuple[int, Any]:
    session, url = webhook
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def test_webhook_is_registered_with_the_secret(
    api: FakeBotApi, webhook: tuple[aiohttp.ClientSession, str]
) -> None:
    assert api.webhook is not None
    assert api.webhook["url"] == URL
    assert api.webhook["secret_token"] == SECRET
    assert "my_chat_member" in api.webhook["allowed_updates"]


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_webhook_without_the_right_secret_is_forbidden(
    webhook: tuple[aiohttp.ClientSession, str], recorder: Recorder, secret: str | None
) -> None:
    status, _ = await _post(webhook, json.dumps(u.text("hi")).encode(), secret)
    assert status == 403
    assert recorder.inbounds == []


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe"])
async def test_malformed_webhook_bodies_are_refused(
    webhook: tuple[aiohttp.ClientSession, str], recorder: Recorder, body: bytes
) -> None:
    status, answer = await _post(webhook, body)
    assert status == 400
    assert "error" in answer
    assert recorder.inbounds == []


async def test_webhook_answers_200_once_the_update_is_committed(
    webhook: tuple[aiohttp.ClientSession, str], recorder: Recorder
) -> None:
    assert await _post(webhook, json.dumps(u.text("Здравствуйте")).encode()) == (200, {})
    assert [i.payload for i in recorder.inbounds] == [IncomingText("Здравствуйте")]


async def test_webhook_answers_500_when_the_pipeline_failed_so_telegram_retries(
    webhook: tuple[aiohttp.ClientSession, str], recorder: Recorder
) -> None:
    recorder.failures = 1
    body = json.dumps(u.text("Здравствуйте")).encode()
    assert (await _post(webhook, body))[0] == 500
    assert (await _post(webhook, body))[0] == 200
    assert len(recorder.inbounds) == 1


async def test_webhook_answers_callback_queries_in_its_reply(
    webhook: tuple[aiohttp.ClientSession, str], recorder: Recorder
) -> None:
    status, answer = await _post(
        webhook, json.dumps(u.callback("delivery", query_id="q1")).encode()
    )
    assert status == 200
    assert answer == {"method": "answerCallbackQuery", "callback_query_id": "q1"}
    assert recorder.inbounds[0].payload == IncomingText("delivery", button="delivery")


async def test_webhook_skips_updates_it_cannot_use_without_a_retry_storm(
    webhook: tuple[aiohttp.ClientSession, str], recorder: Recorder
) -> None:
    rejected = json.dumps({"update_id": 1, "message": {"text": "no chat"}}).encode()
    ignored = json.dumps({"update_id": 2, "edited_message": u.text("x")["message"]}).encode()
    assert await _post(webhook, rejected) == (200, {})
    assert await _post(webhook, ignored) == (200, {})
    assert recorder.inbounds == []


# -- settings ----------------------------------------------------------------------------------


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


async def test_no_token_means_no_channel() -> None:
    assert telegram_channel_from(_settings()) is None


@pytest.mark.parametrize("secret", [None, ""])
async def test_webhook_without_secret_refuses_to_start(secret: str | None) -> None:
    settings = _settings(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_URL=URL, TELEGRAM_WEBHOOK_SECRET=secret
    )
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        telegram_channel_from(settings)


async def test_a_secret_telegram_would_reject_refuses_to_start() -> None:
    settings = _settings(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_URL=URL, TELEGRAM_WEBHOOK_SECRET="has spaces!"
    )
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        telegram_channel_from(settings)


async def test_a_malformed_token_refuses_to_start_without_echoing_it() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN") as error:
        telegram_channel_from(_settings(TELEGRAM_BOT_TOKEN="oops-secret"))
    assert "oops-secret" not in str(error.value)


async def test_settings_build_a_channel_that_talks_to_the_api_base(api: FakeBotApi) -> None:
    settings = _settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=api.base)
    channel = telegram_channel_from(settings)
    assert channel is not None
    try:
        assert (await channel.bot.get_me()).username == "shop_test_bot"
        assert channel.webhook_url is None
    finally:
        await channel.close()
