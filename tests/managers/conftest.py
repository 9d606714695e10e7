"""A running shop for managers' tests: Telegram and WhatsApp customers, the managers' group.

Everything is real but the messengers: `chatbot run`'s wiring over the webhook endpoints, the
pipeline on the test database, a real aiogram Bot against the fake Bot API, the WhatsApp
sender against the fake Graph API. The outbox and the timers are driven by the test (a virtual
clock), so nothing depends on timing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiogram import Bot
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from chatbot.channels.telegram import SECRET_HEADER, telegram_channel_from
from chatbot.channels.whatsapp import whatsapp_channel_from
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.core.outbox_messages import MANAGERS
from chatbot.db.database import Database
from chatbot.db.tables import TaskRow
from chatbot.managers.setup import attach_managers, share_media
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime
from chatbot.service.scheduler import advance_clock
from tests.channels import updates as u
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_bot_api import TOKEN, FakeBotApi
from tests.channels.fake_graph_api import PHONE_NUMBER_ID
from tests.channels.fake_graph_api import TOKEN as WA_TOKEN
from tests.conftest import ROOT

START = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))  # a Monday, shop open
SUPERVISOR_ID = 9001  # the supervisor's private chat with the bot
SECRET = "managers-secret"
WA_ID = "79990001122"
graph = fx.graph


@pytest.fixture
def api(api: FakeBotApi) -> FakeBotApi:
    """The fake Bot API; the manager Ольга (@olga) is a member of the group."""
    api.member(u.MANAGER_ID)
    return api


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A real aiogram Bot pointed at the fake."""
    real = api.bot()
    yield real
    await real.session.close()


class Shop:
    """The bot as `chatbot run` wires it, and the people around it."""

    def __init__(
        self,
        api: FakeBotApi,
        graph: Any,
        runtime: Runtime,
        clock: VirtualClock,
        http: aiohttp.ClientSession,
        base: str,
    ) -> None:
        self.api = api
        self.graph = graph
        self.runtime = runtime
        self.clock = clock
        self.http = http
        self.base = base
        self._ids = itertools.count(100)

    def next_id(self) -> int:
        """A fresh update or message id."""
        return next(self._ids)

    async def update(self, raw: dict[str, Any]) -> int:
        """Telegram posts an update to the webhook; the status once it is handled."""
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        async with self.http.post(
            f"{self.base}/telegram/webhook", data=json.dumps(raw), headers=headers
        ) as response:
            return response.status

    async def customer(self, text: str) -> None:
        """The Telegram customer Анна writes."""
        raw = u.text(text, update_id=self.next_id(), message_id=self.next_id())
        assert await self.update(raw) == 200
        await self.deliver()

    async def whatsapp_customer(self, text: str) -> None:
        """The WhatsApp customer (+79990001122) writes."""
        message = {
            "from": WA_ID,
            "id": f"wamid.{self.next_id()}",
            "timestamp": "1",
            "type": "text",
            "text": {"body": text},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"wa_id": WA_ID, "profile": {"name": "Вера"}}],
            "messages": [message],
            "statuses": [],
        }
        change = {"field": "messages", "value": value}
        entry = {"id": "1", "changes": [change]}
        body = json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()
        headers = {"X-Hub-Signature-256": fx.sign(body), "Content-Type": "application/json"}
        async with self.http.post(
            f"{self.base}/whatsapp/webhook", data=body, headers=headers
        ) as response:
            assert response.status == 200
        await self.deliver()

    async def deliver(self) -> int:
        """Run the outbox until nothing due is left; how many rows went out."""
        total = 0
        while sent := await self.runtime.outbox.deliver_pending():
            total += sent
        return total

    async def wait(self, delta: timedelta) -> None:
        """Let virtual time pass: due timers fire, then the outbox runs."""
        await advance_clock(self.clock, self.runtime.app.scheduler, delta)
        await self.deliver()

    def group(self) -> list[dict[str, Any]]:
        """The bot's messages in the managers' group."""
        return self.api.sent(u.GROUP_ID)

    def cards(self) -> list[dict[str, Any]]:
        """Task cards in the group."""
        return [m for m in self.group() if m.get("text", "").startswith("🆕")]

    def to_customer(self) -> list[str]:
        """Texts the Telegram customer received ("[copy]" for a copied photo or file)."""
        return [m.get("text", "[copy]") for m in self.api.sent(u.CUSTOMER_ID)]

    async def press(
        self,
        action: str,
        on: dict[str, Any],
        sender: dict[str, Any] | None = None,
        task_id: int = 1,
    ) -> dict[str, Any]:
        """A button under a bot message is pressed; the answer to the callback query."""
        query_id = f"cq-{self.next_id()}"
        raw = u.press(f"mgr:{action}:{task_id}", on, self.next_id(), query_id, sender)
        assert await self.update(raw) == 200
        await self.deliver()
        [answer] = [
            a for a in self.api.called("answerCallbackQuery") if a["callback_query_id"] == query_id
        ]
        return answer

    async def say_in_group(
        self,
        text: str,
        reply_to: dict[str, Any] | None = None,
        sender: dict[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        """Someone writes in the managers' group (maybe replying to a bot message)."""
        raw = u.group_text(text, self.next_id(), self.next_id(), sender, reply_to, **kw)
        assert await self.update(raw) == 200
        await self.deliver()

    async def photo_in_group(self, caption: str | None, reply_to: dict[str, Any]) -> int:
        """A manager replies with a photo; its message id in the group."""
        message_id = self.next_id()
        self.api.posted.setdefault(u.GROUP_ID, set()).add(message_id)
        raw = u.group_photo(caption, self.next_id(), message_id, reply_to)
        assert await self.update(raw) == 200
        await self.deliver()
        return message_id

    def buttons(self, message: dict[str, Any]) -> list[str]:
        """Callback data of the buttons under a message, in order."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [button["callback_data"] for row in rows for button in row]

    async def tasks(self) -> list[tuple[int, str, str | None]]:
        """(id, status, manager) of every task."""
        async with self.runtime.app.db.snapshot() as session:
            rows = await session.execute(
                select(TaskRow.id, TaskRow.status, TaskRow.manager).order_by(TaskRow.id)
            )
            return [(r[0], r[1], r[2]) for r in rows]


def shop_settings(url: str, api: FakeBotApi, graph_base: str, **more: Any) -> Settings:
    """Settings of a shop with Telegram (webhook), WhatsApp and the managers' chats."""
    values: dict[str, Any] = dict(
        DATABASE_URL=url,
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=api.base,
        TELEGRAM_WEBHOOK_URL="https://bot.example/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        MANAGERS_CHAT_ID=u.GROUP_ID,
        SUPERVISOR_CHAT_ID=SUPERVISOR_ID,
        MANAGER_IDS=str(SUPERVISOR_ID),
        WHATSAPP_TOKEN=WA_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=fx.APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=fx.VERIFY_TOKEN,
        WHATSAPP_API_BASE=graph_base,
    )
    return Settings(_env_file=None, **(values | more))  # type: ignore[call-arg]


@pytest.fixture
def start() -> datetime:
    """When the shop's virtual clock starts (tests may override it)."""
    return START


@pytest.fixture
def flows_dir() -> Path:
    """The shop's flows folder (tests may override it with an edited copy)."""
    return ROOT / "flows"


@pytest.fixture
async def shop(
    db: Database, api: FakeBotApi, graph: Any, start: datetime, flows_dir: Path
) -> AsyncIterator[Shop]:
    """The shop, served on loopback, on each database backend."""
    url = db.engine.url.render_as_string(hide_password=False)
    settings = shop_settings(url, api, graph.base, FLOWS_DIR=flows_dir)
    clock = VirtualClock(start)
    telegram = telegram_channel_from(settings)
    assert telegram is not None
    app = await open_app(settings, clock)
    whatsapp = whatsapp_channel_from(settings, lang="ru")
    assert whatsapp is not None
    sender = attach_managers(settings, telegram, app)
    assert sender is not None
    media = share_media(settings, sender, whatsapp)
    assert media is not None
    runtime = Runtime(app, senders={MANAGERS: sender}, channels=[telegram, whatsapp])
    server = TestServer(runtime.web_app(), host="127.0.0.1")
    await server.start_server()
    stop = asyncio.Event()
    runs = [asyncio.create_task(c.run(runtime.handle, stop)) for c in (telegram, whatsapp)]
    try:
        async with aiohttp.ClientSession() as http:
            await asyncio.sleep(0)  # the channels take their handler as soon as they run
            yield Shop(api, graph, runtime, clock, http, str(server.make_url("")).rstrip("/"))
    finally:
        stop.set()
        await asyncio.gather(*runs)
        await server.close()
        await telegram.close()
        await whatsapp.close()
        await media.close()
        await app.close()


def minutes(n: float) -> timedelta:
    """A short way to say `timedelta(minutes=n)`."""
    return timedelta(minutes=n)
