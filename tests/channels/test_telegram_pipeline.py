"""Telegram through the real pipeline: webhook in, committed rows, the outbox out to the fake."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from chatbot.channels.telegram import SECRET_HEADER, TelegramChannel
from chatbot.core.clock import VirtualClock
from chatbot.db.tables import DialogRow, MessageRow, OutboxRow
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Pipeline
from tests.channels import updates as u
from tests.channels.conftest import running
from tests.channels.fake_bot_api import BLOCKED, FakeBotApi

SECRET = "pipeline-secret"
Post = tuple[aiohttp.ClientSession, str]


@pytest.fixture
async def channel(bot: Bot) -> TelegramChannel:
    return TelegramChannel(
        bot, webhook_url="https://bot.example/telegram/webhook", webhook_secret=SECRET
    )


@pytest.fixture
async def post(channel: TelegramChannel, pipeline: Pipeline) -> AsyncIterator[Post]:
    application = web.Application()
    application.router.add_routes(channel.routes())
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    async with running(channel, pipeline.handle), aiohttp.ClientSession() as session:
        yield session, str(server.make_url("/telegram/webhook"))
    await server.close()


async def _send(post: Post, update: dict[str, Any]) -> tuple[int, Any]:
    session, url = post
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with session.post(url, data=json.dumps(update), headers=headers) as response:
        return response.status, await response.json()


async def _rows(pipeline: Pipeline, table: Any) -> list[Any]:
    async with pipeline.db.transaction() as session:
        return list((await session.execute(select(table))).scalars())


async def test_a_webhook_message_is_committed_answered_and_delivered_once(
    api: FakeBotApi, channel: TelegramChannel, pipeline: Pipeline, clock: VirtualClock, post: Post
) -> None:
    update = u.text("Здравствуйте", message_id=10)
    assert await _send(post, update) == (200, {})
    # 200 came after the commit: the message and the reply are already stored.
    [inbound] = [m for m in await _rows(pipeline, MessageRow) if m.direction == "in"]
    assert (inbound.external_id, inbound.text) == ("777001:10", "Здравствуйте")
    [reply] = await _rows(pipeline, OutboxRow)
    assert (reply.channel, reply.chat_id, reply.status) == ("telegram", "777001", "pending")

    assert await _send(post, update) == (200, {})  # Telegram redelivers: nothing new
    assert len(await _rows(pipeline, OutboxRow)) == 1

    outbox = OutboxSender(pipeline.db, {"telegram": channel.sender()}, clock)
    assert await outbox.deliver_pending() == 1
    [sent] = api.called("sendMessage")
    assert sent["text"] == reply.payload["text"]
    buttons = [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert buttons == [b["id"] for b in reply.payload["buttons"]]

    status, answer = await _send(post, u.callback(buttons[0], update_id=2, query_id="cq-1"))
    assert (status, answer["callback_query_id"]) == (200, "cq-1")
    pressed = [m for m in await _rows(pipeline, MessageRow) if m.direction == "in"][-1]
    assert pressed.text == buttons[0]


async def test_blocking_the_bot_closes_the_dialog(pipeline: Pipeline, post: Post) -> None:
    assert (await _send(post, u.text("Здравствуйте")))[0] == 200
    assert (await _send(post, u.member("member", "kicked")))[0] == 200
    [dialog] = await _rows(pipeline, DialogRow)
    assert (dialog.closed, dialog.close_reason) == (True, "bot_blocked")


async def test_a_blocked_customer_fails_the_row_for_good(
    api: FakeBotApi, channel: TelegramChannel, pipeline: Pipeline, clock: VirtualClock, post: Post
) -> None:
    assert (await _send(post, u.text("Здравствуйте")))[0] == 200
    api.fail("sendMessage", BLOCKED)
    outbox = OutboxSender(pipeline.db, {"telegram": channel.sender()}, clock)
    assert await outbox.deliver_pending() == 0
    [row] = await _rows(pipeline, OutboxRow)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "blocked" in (row.error or "")
