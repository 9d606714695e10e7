"""Poison input from Telegram, on both databases: stored cleaned or refused, never a retry loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import Update
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from chatbot.channels.telegram import SECRET_HEADER, TelegramChannel
from chatbot.channels.telegram_updates import StaffWork
from chatbot.db.tables import CustomerRow, MessageRow
from chatbot.ports.inbound import InboundHandler
from chatbot.service.pipeline import Pipeline
from tests.channels import updates as u
from tests.channels.conftest import Recorder, running
from tests.channels.fake_bot_api import FakeBotApi

SECRET = "poison-secret"
Post = tuple[aiohttp.ClientSession, str]
# A NUL and a lone surrogate as JSON spells them (json.dumps escapes both).
POISON = "Сколько\x00 стоит?\ud800"
CLEANED = "Сколько стоит?\ufffd"


@pytest.fixture
async def post(bot: Bot, pipeline: Pipeline) -> AsyncIterator[Post]:
    channel = TelegramChannel(
        bot, webhook_url="https://bot.example/telegram/webhook", webhook_secret=SECRET
    )
    application = web.Application()
    application.router.add_routes(channel.routes())
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    async with running(channel, pipeline.handle), aiohttp.ClientSession() as session:
        yield session, str(server.make_url("/telegram/webhook"))
    await server.close()


async def _send(post: Post, body: bytes) -> tuple[int, Any]:
    session, url = post
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def _stored(pipeline: Pipeline) -> tuple[list[tuple[str | None, str]], list[str]]:
    """(external id, text) of the customers' messages, and the customers' names."""
    async with pipeline.db.snapshot() as session:
        query = select(MessageRow).where(MessageRow.direction == "in").order_by(MessageRow.id)
        messages = [(m.external_id, m.text) for m in (await session.execute(query)).scalars()]
        names = list((await session.execute(select(CustomerRow.name))).scalars())
    return messages, names


def _poisoned_update(update_id: int = 1, message_id: int = 10) -> dict[str, Any]:
    sender = u.user(first_name="Ан\x00на\udc00")
    return u.text(POISON, update_id=update_id, message_id=message_id, sender=sender)


async def test_nul_and_lone_surrogates_are_stored_cleaned_from_the_webhook(
    pipeline: Pipeline, post: Post
) -> None:
    body = json.dumps(_poisoned_update()).encode()
    assert b"\\u0000" in body
    assert b"\\ud800" in body
    assert await _send(post, body) == (200, {})
    assert await _send(post, body) == (200, {})  # the redelivery is a duplicate, not a failure
    messages, names = await _stored(pipeline)
    assert messages == [("777001:10", CLEANED)]
    assert names == ["Анна\ufffd"]


async def test_a_raw_encoded_lone_surrogate_is_stored_cleaned_too(
    pipeline: Pipeline, post: Post
) -> None:
    # The surrogate as UTF-8-style bytes rather than a \u escape: read the same way.
    body = json.dumps(u.text("x\ud800y"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert await _send(post, body) == (200, {})
    messages, _ = await _stored(pipeline)
    assert messages == [("777001:10", "x\ufffdy")]


async def test_a_caption_with_nul_is_stored_cleaned(pipeline: Pipeline, post: Post) -> None:
    photo = [{"file_id": "f1", "file_unique_id": "u1", "width": 90, "height": 90}]
    update = u.message(photo=photo, caption="а это\x00 сколько?")
    assert await _send(post, json.dumps(update).encode()) == (200, {})
    messages, _ = await _stored(pipeline)
    assert messages == [("777001:10", "[photo] а это сколько?")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b'{"update_id": 1, "message": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
            "nested deeper than 64 levels",
        ),
        (
            json.dumps(u.text("hi"))
            .replace('"message_id": 10', '"message_id": ' + "7" * 5000)
            .encode(),
            "number beyond 64 bits",
        ),
    ],
    ids=["nesting-10000", "digits-5000"],
)
async def test_deep_nesting_and_huge_numbers_are_refused_with_400(
    pipeline: Pipeline, post: Post, body: bytes, reason: str
) -> None:
    status, answer = await _send(post, body)
    assert status == 400
    assert reason in answer["error"]
    assert await _stored(pipeline) == ([], [])
    # The webhook still works for the next update.
    assert await _send(post, json.dumps(u.text("hi", update_id=2)).encode()) == (200, {})
    assert (await _stored(pipeline))[0] == [("777001:10", "hi")]


async def test_polling_stores_poisoned_texts_and_names_cleaned_and_moves_on(
    api: FakeBotApi, bot: Bot, pipeline: Pipeline
) -> None:
    api.push(_poisoned_update(message_id=1))
    api.push(u.text("и ещё", message_id=2, sender=u.user(first_name="Ан\x00на\udc00")))
    channel = TelegramChannel(bot, poll_timeout=1, backoff=0.05)
    async with running(channel, pipeline.handle):
        for _ in range(400):  # at most 20 s on a loaded machine
            if len((await _stored(pipeline))[0]) == 2 and not api.pending:
                break
            await asyncio.sleep(0.05)
    messages, names = await _stored(pipeline)
    assert messages == [("777001:1", CLEANED), ("777001:2", "и ещё")]
    assert names == ["Анна\ufffd"]


class Staff:
    """Claims every update of the managers' group and keeps the text it was given."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def claim(self, update: Update) -> StaffWork | None:
        message = update.message
        if message is None or message.chat.id != u.GROUP_ID or message.text is None:
            return None
        self.texts.append(message.text)

        async def work(handle: InboundHandler) -> None:
            return None

        return work


async def test_the_managers_side_is_handed_cleaned_updates_polled_or_posted(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    staff = Staff()
    polling = TelegramChannel(bot, poll_timeout=1, backoff=0.05)
    polling.staff = staff
    api.push(u.group_text("/close\x00 \ud800", 0, 1))
    async with running(polling, recorder):
        for _ in range(400):  # at most 20 s on a loaded machine
            if staff.texts and not api.pending:
                break
            await asyncio.sleep(0.05)
    webhook = TelegramChannel(
        bot, webhook_url="https://bot.example/telegram/webhook", webhook_secret=SECRET
    )
    webhook.staff = staff
    application = web.Application()
    application.router.add_routes(webhook.routes())
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    try:
        async with running(webhook, recorder), aiohttp.ClientSession() as session:
            body = json.dumps(u.group_text("/tasks\x00\udfff", 7, 2)).encode()
            url = str(server.make_url("/telegram/webhook"))
            assert await _send((session, url), body) == (200, {})
    finally:
        await server.close()
    assert staff.texts == ["/close \ufffd", "/tasks\ufffd"]
