"""SIGTERM `chatbot run` under load: it exits by its deadline, and a restart sends the rest.

Each test drives a real `chatbot run` process over HTTP and the fake Bot API only. A reply
request that the Bot API never answers is in flight at the SIGTERM, as when Telegram stalls
(aiogram's request timeout is 20 s). The deadline itself (SHUTDOWN_TIMEOUT_SECONDS, 5 s) is
measured by bench/shutdown.py; here the exit is only bounded generously and the time printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
from collections import Counter
from typing import Any

import aiohttp
import pytest

from tests.channels import updates as u
from tests.channels.fake_bot_api import HOLD, PASS, FakeBotApi
from tests.e2e.bot_process import BotProcess, eventually
from tests.e2e.conftest import MakeBot
from tests.e2e.test_crash_restart import says
from tests.llm.fake_openai import HANG, FakeOpenAI, Reply

# Every message of this script gets exactly one reply from the shipped flows.
SCRIPT = ("Здравствуйте", "1", "хочу заказать шары на день рождения дочки, 15 штук")
EXIT_BOUND = 15.0  # seconds: a hung shutdown fails the test; the real figure is printed
CUSTOMERS = 6
# The customers' replies not sent yet (the managers' task cards have no chat configured here).
PENDING_REPLIES = "SELECT id FROM outbox WHERE channel = 'telegram' AND status = 'pending'"


async def sigterm(bot: BotProcess, expected_code: int = 0) -> float:
    """SIGTERM the process and wait for its exit; returns how long it took."""
    assert bot.process is not None
    loop = asyncio.get_running_loop()
    started = loop.time()
    bot.process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(bot.process.wait(), timeout=EXIT_BOUND)
    took = loop.time() - started
    print(f"chatbot run exited {took:.2f} s after SIGTERM")
    assert bot.process.returncode == expected_code, bot.log()
    return took


def stored(bot: BotProcess) -> list[str]:
    """External ids ("chat:message") of the inbound messages in the database."""
    rows = bot.rows("SELECT external_id FROM messages WHERE direction = 'in' ORDER BY id")
    return [str(r[0]) for r in rows]


def replies_once_each(api: FakeBotApi, bot: BotProcess) -> None:
    """Every stored message got its one reply, and no reply reached a customer twice."""
    sent = [(str(p["chat_id"]), str(p["text"])) for p in api.called("sendMessage")]
    assert [pair for pair, n in Counter(sent).items() if n > 1] == []
    per_chat = Counter(external.split(":")[0] for external in stored(bot))
    assert Counter(chat for chat, _ in sent) == per_chat
    replies = "SELECT status, count(*) FROM outbox WHERE channel = 'telegram' GROUP BY status"
    assert bot.rows(replies) == [("sent", sum(per_chat.values()))]


class WebhookLoad:
    """Customers POST their scripts back to back, new chats starting, until told to stop."""

    def __init__(self, bot: BotProcess) -> None:
        self.bot = bot
        self.acked: set[str] = set()
        self.stopping = False
        self._chats = itertools.count(900_001)
        self._updates = itertools.count(1)

    async def customer(self) -> None:
        """One worker: a chat's script, then the next chat's."""
        while not self.stopping:
            chat = next(self._chats)
            for message_id, body in enumerate(SCRIPT, start=1):
                update = says(body, update_id=next(self._updates), message_id=message_id, chat=chat)
                try:
                    status = await self.bot.post(update)
                except aiohttp.ClientError:
                    assert self.stopping, "a request failed before the SIGTERM"
                    return
                if status != 200:
                    assert self.stopping, f"answered {status} before the SIGTERM"
                    return
                self.acked.add(f"{chat}:{message_id}")


async def test_sigterm_under_webhook_load_exits_and_a_restart_sends_what_was_pending(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    api.fail("sendMessage", PASS, PASS, HOLD)  # the third reply hangs at the Bot API
    bot = make_bot()
    await bot.start()
    load = WebhookLoad(bot)
    customers = [asyncio.create_task(load.customer()) for _ in range(CUSTOMERS)]
    await eventually(lambda: api.held and len(load.acked) >= 30)
    load.stopping = True
    await sigterm(bot)
    await asyncio.gather(*customers)
    log = bot.log()
    assert "runtime.shutdown_started signal=SIGTERM" in log
    assert "msg=runtime.shutdown_done" in log
    assert "cut_off=outbox" in log  # the hanging send was cut off at the deadline
    # Nothing acknowledged was lost: every 200 has its message row.
    assert load.acked <= set(stored(bot))
    assert bot.rows(PENDING_REPLIES)

    await bot.start()
    await eventually(lambda: not bot.rows(PENDING_REPLIES))
    await bot.stop()
    replies_once_each(api, bot)


async def test_sigterm_while_polling_exits_and_a_restart_handles_the_rest(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    api.poll_wait_cap = 25.0  # getUpdates is held as long as Telegram holds it, when idle
    api.fail("sendMessage", PASS, PASS, HOLD)
    bot = make_bot(env={"TELEGRAM_WEBHOOK_URL": ""})
    await bot.start()
    pushed: list[int] = []
    chats = itertools.count(800_001)

    async def feed() -> None:
        while True:
            chat = next(chats)
            for message_id, body in enumerate(SCRIPT, start=1):
                pushed.append(api.push(says(body, 0, message_id, chat=chat)))
                await asyncio.sleep(0.02)

    feeding = asyncio.create_task(feed())
    await eventually(lambda: api.held and len(stored(bot)) >= 30)
    await sigterm(bot)
    feeding.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await feeding
    # An update is acknowledged once a getUpdates offset passed it (the fake then drops it).
    waiting = {u["update_id"] for u in api.pending}
    acked = [update_id for update_id in pushed if update_id not in waiting]
    assert len(stored(bot)) >= len(acked) > 0
    assert "cut_off=outbox" in bot.log()

    await bot.start()
    await eventually(lambda: len(stored(bot)) == len(pushed) and not api.pending)
    await eventually(lambda: not bot.rows(PENDING_REPLIES))
    await bot.stop()
    replies_once_each(api, bot)


@pytest.fixture
async def hanging_llm() -> Any:
    """A model that never answers its first request (the rules are unsure of 'номер 4411')."""
    llm = FakeOpenAI()
    await llm.start()
    llm.then(HANG).default = Reply(content='{"intent": "other"}')
    yield llm
    await llm.close()


def slow_llm_env(llm: FakeOpenAI) -> dict[str, str]:
    """Settings that let one classification outlast the shutdown's deadline."""
    return {
        "LLM_BASE_URL": llm.base_url,
        "LLM_MODEL": "fake-model",
        "LLM_API_KEY": "key",
        "LLM_DEADLINE_SECONDS": "60",
        "LLM_TIMEOUT_SECONDS": "60",
    }


async def answer(posting: asyncio.Future[int]) -> int | None:
    """The webhook's status, or None when the connection closed without an answer."""
    try:
        return await posting
    except aiohttp.ClientError:
        return None


async def test_a_webhook_still_in_flight_at_the_deadline_is_not_acknowledged(
    api: FakeBotApi, make_bot: MakeBot, hanging_llm: FakeOpenAI
) -> None:
    bot = make_bot(env=slow_llm_env(hanging_llm))
    await bot.start()
    update = says("номер 4411", update_id=1, message_id=10)
    posting = asyncio.ensure_future(bot.post(update))
    await eventually(lambda: hanging_llm.requests)
    await sigterm(bot)
    assert await answer(posting) is None  # no 200: Telegram keeps the update
    assert stored(bot) == []
    assert 'cut_off="1 HTTP request(s), unanswered"' in bot.log()

    await bot.start()
    assert await bot.post(update) == 200  # Telegram's redelivery
    await eventually(lambda: api.called("sendMessage"))
    await bot.stop()
    assert stored(bot) == ["777001:10"]
    replies_once_each(api, bot)


async def test_a_second_signal_exits_at_once_and_loses_nothing_acknowledged(
    api: FakeBotApi, make_bot: MakeBot, hanging_llm: FakeOpenAI
) -> None:
    bot = make_bot(env=slow_llm_env(hanging_llm) | {"SHUTDOWN_TIMEOUT_SECONDS": "120"})
    await bot.start()
    other = says("Здравствуйте", update_id=1, message_id=9, chat=u.CUSTOMER_ID + 1)
    assert await bot.post(other) == 200
    # Its reply is out and recorded: a forced exit in the middle of a send could double it.
    await eventually(lambda: bot.rows("SELECT status FROM outbox") == [("sent",)])
    update = says("номер 4411", update_id=2, message_id=10)
    posting = asyncio.ensure_future(bot.post(update))
    await eventually(lambda: hanging_llm.requests)
    assert bot.process is not None
    bot.process.send_signal(signal.SIGTERM)
    await eventually(lambda: "runtime.shutdown_started" in bot.log())
    await sigterm(bot, expected_code=128 + signal.SIGTERM)  # the shutdown would take 2 minutes
    assert "runtime.shutdown_forced signal=SIGTERM" in bot.log()
    assert await answer(posting) is None
    assert stored(bot) == ["777002:9"]

    await bot.start()
    assert await bot.post(update) == 200
    await eventually(lambda: len(api.called("sendMessage")) == 2)
    await bot.stop()
    assert stored(bot) == ["777002:9", "777001:10"]
    replies_once_each(api, bot)
