"""Updates of the managers' chats go to the staff side, not to the customers' pipeline."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import Update
from aiohttp import web
from aiohttp.test_utils import TestServer

from chatbot.channels.telegram import TelegramChannel
from chatbot.channels.telegram_updates import StaffWork, read_update
from chatbot.ports.inbound import InboundHandler, IncomingText
from tests.channels import updates as u
from tests.channels.conftest import Recorder, running
from tests.channels.fake_bot_api import FakeBotApi
from tests.channels.test_telegram_channel import SECRET, URL, _until


class Staff:
    """Claims the group's updates; records them and fails when told to."""

    def __init__(self) -> None:
        self.handled: list[int] = []
        self.failures = 0

    def claim(self, update: Update) -> StaffWork | None:
        if update.message is None or update.message.chat.id != u.GROUP_ID:
            return None

        async def work(handle: InboundHandler) -> None:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("database is down")
            self.handled.append(update.update_id)

        return work


async def test_polling_hands_group_updates_to_the_staff_side_and_confirms_them(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    staff = Staff()
    staff.failures = 1
    channel = TelegramChannel(bot, poll_timeout=1, backoff=0.05)
    channel.staff = staff
    group = api.push(u.group_text("/tasks", 0, 1))
    api.push(u.text("Здравствуйте", message_id=2))
    async with running(channel, recorder):
        await recorder.wait_for(1)
        await _until(lambda: staff.handled and not api.pending)
    assert staff.handled == [group]  # failed once, so delivered again, then handled once
    # The customer's update may come again with the group's; the pipeline drops repeats.
    assert {i.payload for i in recorder.inbounds} == {IncomingText("Здравствуйте")}


async def test_the_webhook_answers_500_until_the_staff_side_handled_the_update(
    api: FakeBotApi, bot: Bot, recorder: Recorder
) -> None:
    staff = Staff()
    staff.failures = 1
    channel = TelegramChannel(bot, webhook_url=URL, webhook_secret=SECRET)
    channel.staff = staff
    application = web.Application()
    application.router.add_routes(channel.routes())
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    body = json.dumps(u.group_text("/sla", 5, 1)).encode()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        async with running(channel, recorder), aiohttp.ClientSession() as session:
            await _until(lambda: api.webhook is not None)
            url = str(server.make_url("/telegram/webhook"))
            for expected in (500, 200):
                async with session.post(url, data=body, headers=headers) as response:
                    assert response.status == expected
    finally:
        await server.close()
    assert staff.handled == [5]
    assert recorder.inbounds == []


def test_adding_the_bot_to_a_group_logs_the_groups_id(caplog: pytest.LogCaptureFixture) -> None:
    added = u.member("left", "member", kind="group")
    added["my_chat_member"]["chat"] = u.group()
    with caplog.at_level(logging.INFO, logger="chatbot.channels.telegram_updates"):
        assert read_update(added).inbound is None
    [record] = [r for r in caplog.records if r.msg == "telegram.group_membership"]
    assert (record.__dict__["chat_id"], record.__dict__["status"]) == (u.GROUP_ID, "member")
