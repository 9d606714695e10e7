"""SIGKILL `chatbot run` at the risky moments, restart it on its database: nothing lost or doubled.

Each test drives a real `chatbot run` process over HTTP only: Telegram updates in through the
webhook, replies out to the fake Bot API. It kills the process with SIGKILL (no shutdown code
runs) where a crash hurts most, starts a new one on the same SQLite file, and counts what the
customer got.

Where exactly-once ends: sendMessage has no idempotency key. If the process dies after Telegram
took a message but before the answer came back and was recorded, the restarted sender cannot
tell and sends it again: delivery toward Telegram is at-least-once. The first test pins both
sides of that line. A request Telegram never took (held unanswered and not delivered) reaches
the customer exactly once after the restart; one it took reaches them twice, and nothing else
is repeated.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.channels import updates as u
from tests.channels.fake_bot_api import (
    HOLD,
    HOLD_AFTER_DELIVERY,
    PASS,
    Failure,
    FakeBotApi,
    too_many_requests,
)
from tests.e2e.bot_process import eventually
from tests.e2e.conftest import MakeBot
from tests.llm.fake_openai import HANG, FakeOpenAI, Reply

CHAT = u.CUSTOMER_ID
# A recognisable piece of each reply the tests expect (flows/texts/ru.yaml).
REPLIES = {
    "menu": "Чем помочь?",
    "details": "Расскажите, что ищете",
    "thinking": "Конечно, подумайте",
    "nudge": "Вы присматривались",
    "question": "Передал вопрос менеджеру",
}


def _names(calls: list[dict[str, Any]], chat: int = CHAT) -> list[str]:
    """Which reply each sendMessage to `chat` was, in order."""
    names = []
    for params in calls:
        if str(params["chat_id"]) == str(chat):
            text = str(params["text"])
            names.append(next((n for n, part in REPLIES.items() if part in text), text))
    return names


def delivered(api: FakeBotApi, chat: int = CHAT) -> list[str]:
    """What the customer received."""
    return _names(api.called("sendMessage"), chat)


def requested(api: FakeBotApi, chat: int = CHAT) -> list[str]:
    """Every sendMessage request for the chat, delivered or not."""
    return _names(api.requested("sendMessage"), chat)


def says(body: str, update_id: int, message_id: int, chat: int = CHAT) -> dict[str, Any]:
    """A customer's text message update."""
    return u.text(
        body, update_id=update_id, message_id=message_id, where=u.chat(chat), sender=u.user(chat)
    )


@pytest.mark.parametrize(
    ("hold", "menus"),
    [
        pytest.param(HOLD, ["menu"], id="telegram-never-took-it"),
        # At-least-once: Telegram took the message, the answer was lost with the process.
        pytest.param(HOLD_AFTER_DELIVERY, ["menu", "menu"], id="telegram-took-it"),
    ],
)
async def test_killed_while_a_reply_is_unconfirmed(
    api: FakeBotApi, make_bot: MakeBot, hold: Failure, menus: list[str]
) -> None:
    api.fail("sendMessage", hold)
    bot = make_bot()
    await bot.start()
    hello = says("Здравствуйте", update_id=1, message_id=10)
    assert await bot.post(hello) == 200  # the 200 comes only after the commit
    await eventually(lambda: api.held)
    await bot.kill()
    # The message and its planned reply outlived the process; the reply is unconfirmed.
    assert bot.rows("SELECT external_id FROM messages WHERE direction = 'in'") == [("777001:10",)]
    assert bot.rows("SELECT status FROM outbox") == [("pending",)]

    await bot.start()
    await eventually(lambda: delivered(api) == menus)
    assert await bot.post(hello) == 200  # Telegram redelivers the update to the new process
    assert await bot.post(says("1", update_id=2, message_id=11)) == 200
    await eventually(lambda: "details" in delivered(api))
    await bot.stop()
    # Rows are sent in order, so a reply to the redelivery would have come before "details".
    assert delivered(api) == [*menus, "details"]
    assert requested(api) == ["menu", "menu", "details"]
    inbound = "SELECT external_id FROM messages WHERE direction = 'in' ORDER BY id"
    assert bot.rows(inbound) == [("777001:10",), ("777001:11",)]
    assert bot.rows("SELECT status FROM outbox ORDER BY id") == [("sent",), ("sent",)]
    assert bot.rows("SELECT count(*) FROM messages WHERE direction = 'out'") == [(2,)]


async def test_killed_while_a_timer_s_message_is_unconfirmed(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    api.fail("sendMessage", PASS, PASS, HOLD)  # the menu and the answer go, the nudge is held
    bot = make_bot(timers={"nudge_1": "1s"})
    await bot.start()
    assert await bot.post(says("Здравствуйте", update_id=1, message_id=10)) == 200
    assert await bot.post(says("Спасибо, я подумаю", update_id=2, message_id=11)) == 200
    await eventually(lambda: api.held)
    await bot.kill()
    # The firing consumed its timer and planned the nudge in one transaction.
    assert bot.rows("SELECT name FROM timers WHERE name LIKE 'nudge%'") == [("nudge_2",)]
    assert bot.rows("SELECT status FROM outbox ORDER BY id") == [("sent",), ("sent",), ("pending",)]

    await bot.start()
    await eventually(lambda: "nudge" in delivered(api))
    question = says("а сколько будет стоить доставка в Реутов?", update_id=3, message_id=12)
    assert await bot.post(question) == 200
    await eventually(lambda: "question" in delivered(api))
    await bot.stop()
    assert delivered(api) == ["menu", "thinking", "nudge", "question"]
    assert requested(api) == ["menu", "thinking", "nudge", "nudge", "question"]
    assert bot.rows("SELECT name FROM timers WHERE name LIKE 'nudge%'") == []


async def test_killed_before_the_message_was_stored_it_is_handled_on_redelivery(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    llm = FakeOpenAI()
    await llm.start()
    # The rules are unsure of this text, so the model is asked before the write transaction:
    # holding its answer holds the process between the webhook's arrival and the commit.
    llm.then(HANG).default = Reply(content='{"intent": "other"}')
    slow = {
        "LLM_BASE_URL": llm.base_url,
        "LLM_MODEL": "fake-model",
        "LLM_API_KEY": "key",
        "LLM_DEADLINE_SECONDS": "60",
        "LLM_TIMEOUT_SECONDS": "60",
    }
    try:
        bot = make_bot(env=slow)
        await bot.start()
        update = says("номер 4411", update_id=1, message_id=10)
        posting = asyncio.ensure_future(bot.post(update))
        await eventually(lambda: llm.requests)
        await bot.kill()
        with pytest.raises(aiohttp.ClientError):
            await posting  # no 200, so Telegram keeps the update and delivers it again
        assert bot.rows("SELECT count(*) FROM messages") == [(0,)]

        await bot.start()
        assert list(await asyncio.gather(bot.post(update), bot.post(update))) == [200, 200]
        assert await bot.post(update) == 200
        assert await bot.post(says("1", update_id=2, message_id=11)) == 200
        await eventually(lambda: "details" in delivered(api))
        await bot.stop()
    finally:
        await llm.close()
    assert delivered(api) == ["menu", "details"]
    assert requested(api) == ["menu", "details"]
    inbound = "SELECT external_id FROM messages WHERE direction = 'in' ORDER BY id"
    assert bot.rows(inbound) == [("777001:10",), ("777001:11",)]


STORM = 7  # 429 answers in a row: flood control waits, it never uses up a message's retries


async def test_a_flood_control_storm_and_duplicate_webhooks_lose_and_double_nothing(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    api.fail("sendMessage", *[too_many_requests(1)] * STORM)
    bot = make_bot()
    await bot.start()
    chats = [CHAT, CHAT + 1, CHAT + 2]
    assert await bot.post(says("Здравствуйте", update_id=10, message_id=10)) == 200
    # The first menu alone meets five 429s in a row...
    await eventually(lambda: len(api.requested("sendMessage")) >= 5)
    # ...and the storm goes on while more customers write, their updates arriving twice.
    for n, chat in enumerate(chats):
        if chat != CHAT:
            hello = says("Здравствуйте", update_id=10 + n, message_id=10, chat=chat)
            assert list(await asyncio.gather(bot.post(hello), bot.post(hello))) == [200, 200]
        pressed = says("1", update_id=20 + n, message_id=11, chat=chat)
        assert list(await asyncio.gather(bot.post(pressed), bot.post(pressed))) == [200, 200]
    await eventually(lambda: all(len(delivered(api, c)) >= 2 for c in chats))
    await bot.stop()
    for chat in chats:
        assert delivered(api, chat) == ["menu", "details"]  # each once, and in order
    assert len(api.requested("sendMessage")) == STORM + 2 * len(chats)
    assert bot.rows("SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 6)]
    assert bot.rows("SELECT count(*) FROM messages WHERE direction = 'in'") == [(6,)]
