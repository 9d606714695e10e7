"""`chatbot run` through an outage of the Bot API: every reply arrives, each chat in order."""

from __future__ import annotations

from datetime import timedelta

from chatbot.core.clock import SystemClock
from tests.channels.fake_bot_api import FakeBotApi
from tests.e2e.bot_process import eventually
from tests.e2e.conftest import MakeBot
from tests.e2e.test_crash_restart import CHAT, delivered, requested, says

OUTAGE = timedelta(seconds=12)
# Backoff scaled down with the outage: a try about every second instead of every minute.
SCALED = {"OUTBOX_MAX_BACKOFF_SECONDS": "0.5"}


async def test_an_outage_of_the_bot_api_loses_no_reply_and_keeps_each_chat_s_order(
    api: FakeBotApi, make_bot: MakeBot
) -> None:
    bot = make_bot(env=SCALED)
    await bot.start()
    clock = SystemClock()
    api.outage(clock, clock.now() + OUTAGE)  # every Bot API call answers 502 meanwhile
    chats = [CHAT, CHAT + 1, CHAT + 2]
    for n, chat in enumerate(chats):
        assert (
            await bot.post(says("Здравствуйте", update_id=10 + n, message_id=10, chat=chat)) == 200
        )
    for n, chat in enumerate(chats):
        assert await bot.post(says("1", update_id=20 + n, message_id=11, chat=chat)) == 200
    await eventually(lambda: all(len(delivered(api, c)) >= 2 for c in chats), seconds=90)
    await bot.stop()
    for chat in chats:
        assert delivered(api, chat) == ["menu", "details"]  # each once, and in order
        tries = requested(api, chat)
        assert tries[-1] == "details"
        assert tries.count("menu") > 5  # more failures than the old five attempts survived
        assert set(tries[: tries.index("details")]) == {"menu"}  # the answer waited its turn
    assert bot.rows("SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 6)]
