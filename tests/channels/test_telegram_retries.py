"""The outbox through a real aiogram Bot against a failing fake Bot API: outages, 403, 400.

The outbox and the fake share a virtual clock, so a 90 s outage takes no 90 s of wall time:
the fake fails every call until the clock passes the outage's end.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from aiogram import Bot
from sqlalchemy import select

from chatbot.channels.telegram_sender import TelegramSender
from chatbot.core.clock import VirtualClock
from chatbot.core.events import Blocked
from chatbot.db.tables import DialogRow, OutboxRow
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Pipeline
from chatbot.service.retries import RetryPolicy
from tests.channels.fake_bot_api import BLOCKED, RESET, SERVER_ERROR, Failure, FakeBotApi

CHATS = (101, 102, 103, 104)
STEP = timedelta(seconds=5)  # how often the sender runs in these tests (it polls every second)


async def _rows(pipeline: Pipeline) -> list[OutboxRow]:
    async with pipeline.db.transaction() as s:
        query = select(OutboxRow).where(OutboxRow.kind == "message").order_by(OutboxRow.id)
        return list((await s.execute(query)).scalars())


def _outbox(pipeline: Pipeline, bot: Bot, clock: VirtualClock, **kwargs: object) -> OutboxSender:
    retries = RetryPolicy(jitter=random.Random(7).random)  # the defaults: an hour, 60 s cap
    return OutboxSender(
        pipeline.db, {"telegram": TelegramSender(bot)}, clock, retries=retries, **kwargs
    )  # type: ignore[arg-type]


async def _say(pipeline: Pipeline, chat: int, text: str, key: str) -> None:
    await pipeline.handle(Inbound("telegram", str(chat), IncomingText(text), f"{chat}-{key}"))


@pytest.mark.parametrize("kind", ["502", "reset", "refused"])
async def test_a_90_second_outage_loses_no_reply_and_keeps_each_chat_s_order(
    api: FakeBotApi, bot: Bot, pipeline: Pipeline, clock: VirtualClock, kind: str
) -> None:
    end = clock.now() + timedelta(seconds=90)
    if kind == "refused":
        await api.refuse()
    else:
        api.outage(clock, end, SERVER_ERROR if kind == "502" else RESET)
    outbox = _outbox(pipeline, bot, clock)
    for chat in CHATS:
        await _say(pipeline, chat, "Здравствуйте", "hello")  # the menu: its first try fails
    for step in range(60):  # five minutes of rounds
        if step == 6:  # half a minute in, the customers press a menu option
            for chat in CHATS:
                await _say(pipeline, chat, "оплата", "pay")
        if step == 10:  # a restart mid-outage: the order lives in the table, not in memory
            outbox = _outbox(pipeline, bot, clock)
        if kind == "refused" and clock.now() >= end:
            await api.listen_again()
            kind = "listening"
        await outbox.deliver_pending()
        clock.advance(STEP)
    rows = await _rows(pipeline)
    assert [r.status for r in rows] == ["sent"] * 2 * len(CHATS)  # nothing lost
    for chat in CHATS:
        written = [r.payload["text"] for r in rows if r.chat_id == str(chat)]
        got = [p["text"] for p in api.called("sendMessage") if int(p["chat_id"]) == chat]
        assert got == written  # each reply once, in the order it was written
        assert [r.payload["key"] for r in rows if r.chat_id == str(chat)] == [
            "menu_main",
            "handoff_question",
        ]
    first = min(r.attempts for r in rows if r.payload["key"] == "menu_main")
    assert first > 5  # every menu failed more often than the old five attempts allowed
    if kind != "listening":
        failed = [c for c in api.calls if c.method == "sendMessage" and c.status != 200]
        assert {int(c.params["chat_id"]) for c in failed} == set(CHATS)


async def test_a_403_drops_the_chat_s_later_rows_of_the_same_round_without_a_call(
    api: FakeBotApi, bot: Bot, pipeline: Pipeline, clock: VirtualClock
) -> None:
    await _say(pipeline, 101, "Здравствуйте", "hello")
    await _say(pipeline, 101, "оплата", "pay")
    blocked: list[str] = []

    async def on_blocked(channel: str, chat_id: str) -> None:
        blocked.append(chat_id)
        await pipeline.handle(Inbound(channel, chat_id, Blocked(reason="send_refused")))

    api.fail("sendMessage", BLOCKED)
    outbox = _outbox(pipeline, bot, clock, on_blocked=on_blocked)
    assert await outbox.deliver_pending() == 0
    assert len(api.requested("sendMessage")) == 1  # the menu's 403, and no other call
    assert blocked == ["101"]
    menu, answer = await _rows(pipeline)
    assert (menu.status, menu.attempts) == ("failed", 1)
    assert "blocked" in (menu.error or "")
    assert (answer.status, answer.attempts, answer.sent_at) == ("skipped", 0, None)
    assert "blocked" in (answer.error or "")
    async with pipeline.db.transaction() as s:
        dialog = (await s.execute(select(DialogRow))).scalar_one()
    assert (dialog.closed, dialog.close_reason) == (True, "bot_blocked")
    # What the customer writes later is held back the same way (the engine skips it).
    await _say(pipeline, 101, "Здравствуйте", "again")
    clock.advance(timedelta(hours=1))
    await outbox.deliver_pending()
    assert len(api.requested("sendMessage")) == 1
    later = (await _rows(pipeline))[2:]
    assert later
    assert {r.status for r in later} == {"skipped"}


async def test_a_400_is_final_at_once_and_the_chat_goes_on(
    api: FakeBotApi, bot: Bot, pipeline: Pipeline, clock: VirtualClock
) -> None:
    await _say(pipeline, 101, "Здравствуйте", "hello")
    await _say(pipeline, 101, "оплата", "pay")
    api.fail("sendMessage", Failure(400, "Bad Request: chat not found"))
    outbox = _outbox(pipeline, bot, clock)
    assert await outbox.deliver_pending() == 1  # the menu fails for good; the answer goes
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        await outbox.deliver_pending()
    assert len(api.requested("sendMessage")) == 2  # never retried
    menu, answer = await _rows(pipeline)
    assert (menu.status, menu.attempts) == ("failed", 1)
    assert "chat not found" in (menu.error or "")
    assert answer.status == "sent"


async def test_a_row_failing_past_the_retry_window_is_failed_for_good(
    api: FakeBotApi, bot: Bot, pipeline: Pipeline, clock: VirtualClock
) -> None:
    await _say(pipeline, 101, "Здравствуйте", "hello")
    api.outage(clock, clock.now() + timedelta(hours=3))
    outbox = _outbox(pipeline, bot, clock)
    start = clock.now()
    while clock.now() < start + timedelta(minutes=70):
        await outbox.deliver_pending()
        clock.advance(timedelta(seconds=30))
    [menu] = await _rows(pipeline)
    assert menu.status == "failed"
    assert (menu.error or "").startswith("given up 3600 s after its first failure")
    tries = len(api.requested("sendMessage"))
    assert tries == menu.attempts > 50  # retried all along the hour, about once a minute
    clock.advance(timedelta(hours=3))
    await outbox.deliver_pending()
    assert len(api.requested("sendMessage")) == tries  # given up: never tried again
