"""The events API with WhatsApp on: templates on the Graph API's wire, new numbers, refusals."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from chatbot.channels.whatsapp import whatsapp_channel_from
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.db import dialogs
from chatbot.db.tables import OutboxRow
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_graph_api import PHONE_NUMBER_ID, REENGAGEMENT, TOKEN, FakeGraphApi
from tests.conftest import ROOT

graph = fx.graph  # the fake Graph API fixture, taken by name
EVENTS_TOKEN = "crm-token"
WA_ID = "79990001122"
ORDER = {"order_id": "A-17", "amount": 2500, "pay_url": "https://pay.example/A-17"}
ORDER_TEMPLATE = {
    "name": "order_created_link",
    "language": {"code": "ru"},
    "components": [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "A-17"},
                {"type": "text", "text": "2500"},
                {"type": "text", "text": "https://pay.example/A-17"},
            ],
        },
    ],
}


@dataclass
class Bot:
    """`chatbot run`'s web app on loopback with WhatsApp and the outbox loop, on a virtual clock."""

    runtime: Runtime
    clock: VirtualClock
    base: str
    http: aiohttp.ClientSession

    async def event(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST /api/events; the status and the answer."""
        headers = {"Authorization": f"Bearer {EVENTS_TOKEN}"}
        async with self.http.post(f"{self.base}/api/events", json=body, headers=headers) as resp:
            return resp.status, await resp.json()

    async def says(self, wamid: str, text: str) -> None:
        """The customer WA_ID writes, through the signed webhook."""
        message = {
            "from": WA_ID,
            "id": wamid,
            "timestamp": "1",
            "type": "text",
            "text": {"body": text},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"wa_id": WA_ID, "profile": {"name": "Анна"}}],
            "messages": [message],
        }
        change = {"field": "messages", "value": value}
        notification = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [change]}],
        }
        raw = json.dumps(notification).encode()
        headers = {"X-Hub-Signature-256": fx.sign(raw), "Content-Type": "application/json"}
        async with self.http.post(
            f"{self.base}/whatsapp/webhook", data=raw, headers=headers
        ) as resp:
            assert resp.status == 200

    async def metrics(self) -> str:
        """GET /metrics."""
        async with self.http.get(f"{self.base}/metrics") as resp:
            return await resp.text()

    async def outbox(self) -> list[tuple[str, str, str | None]]:
        """(text key, status, error) of every customer message row, oldest first."""
        async with self.runtime.app.db.snapshot() as s:
            query = select(OutboxRow).where(OutboxRow.kind == "message").order_by(OutboxRow.id)
            rows = (await s.execute(query)).scalars()
            return [(str(r.payload.get("key")), r.status, r.error) for r in rows]


@pytest.fixture
async def bot(graph: FakeGraphApi, tmp_path: Path) -> AsyncIterator[Bot]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'events.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        EVENTS_API_TOKEN=EVENTS_TOKEN,
        WHATSAPP_TOKEN=TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=fx.APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=fx.VERIFY_TOKEN,
        WHATSAPP_API_BASE=graph.base,
    )
    clock = VirtualClock(fx.START)
    app = await open_app(settings, clock)
    channel = whatsapp_channel_from(settings, lang=app.flows.shop.default_lang)
    assert channel is not None
    runtime = Runtime(app, channels=[channel])
    server = TestServer(runtime.web_app(), host="127.0.0.1")
    await server.start_server()
    stop = asyncio.Event()
    loops = [
        asyncio.create_task(channel.run(runtime.handle, stop)),
        asyncio.create_task(runtime.outbox_loop(stop)),
    ]
    try:
        async with aiohttp.ClientSession() as http:
            yield Bot(runtime, clock, str(server.make_url("")), http)
    finally:
        stop.set()
        await asyncio.gather(*loops)
        await server.close()
        await channel.close()
        await app.close()


async def sent(graph: FakeGraphApi, count: int) -> list[dict[str, Any]]:
    """The bodies of the first `count` calls, once they arrived (and nothing more came)."""
    await graph.wait_for(count)
    await asyncio.sleep(0.2)
    assert len(graph.calls) == count, [c.body for c in graph.calls]
    return [c.body for c in graph.calls]


async def test_a_customer_who_wrote_three_days_ago_gets_the_order_as_its_template(
    bot: Bot, graph: FakeGraphApi
) -> None:
    await bot.says("wamid.1", "Здравствуйте")
    await sent(graph, 1)  # the menu
    bot.clock.advance(timedelta(days=3))
    status, _ = await bot.event(
        {"type": "order_created", "customer": {"phone": "+79990001122"}, "data": ORDER}
    )
    assert status == 202
    confirmation = (await sent(graph, 2))[1]
    assert confirmation["to"] == WA_ID
    assert confirmation["type"] == "template"
    assert confirmation["template"] == ORDER_TEMPLATE


async def test_a_site_order_for_a_new_number_opens_the_conversation_with_the_template(
    bot: Bot, graph: FakeGraphApi
) -> None:
    body = {
        "id": "site-1",
        "type": "order_created",
        "customer": {"phone": "8 (916) 123-45-67 доб. 3"},
        "data": ORDER,
    }
    assert await bot.event(body) == (202, {"status": "accepted"})
    [confirmation] = await sent(graph, 1)
    assert confirmation["to"] == "79161234567"
    assert confirmation["template"] == ORDER_TEMPLATE
    dialog = await bot.runtime.app.db.read(dialogs.load_dialog, "whatsapp", "79161234567")
    assert dialog is not None
    assert dialog.phone == "+79161234567"  # the customer's later messages meet this dialog


async def test_a_missed_call_from_a_new_number_gets_the_template(
    bot: Bot, graph: FakeGraphApi
) -> None:
    body = {"type": "missed_call", "customer": {"phone": "00 7 916 765-43-21"}}
    assert (await bot.event(body))[0] == 202
    [call] = await sent(graph, 1)
    assert call["to"] == "79167654321"
    assert call["template"] == {"name": "missed_call", "language": {"code": "ru"}}


async def test_a_whatsapp_chat_id_is_its_number(bot: Bot, graph: FakeGraphApi) -> None:
    await bot.says("wamid.1", "Здравствуйте")
    await sent(graph, 1)
    body = {
        "type": "order_paid",
        "customer": {"channel": "whatsapp", "chat_id": WA_ID},
        "data": {"order_id": "A-17"},
    }
    assert (await bot.event(body))[0] == 202
    paid = (await sent(graph, 2))[1]
    assert (paid["to"], paid["type"]) == (WA_ID, "text")  # inside the window: free text
    assert "A-17" in paid["text"]["body"]
    fresh = {**body, "customer": {"channel": "whatsapp", "chat_id": "79167654321"}}
    assert (await bot.event(fresh))[0] == 202
    template = (await sent(graph, 3))[2]
    assert (template["to"], template["template"]["name"]) == ("79167654321", "payment_received")


async def test_a_closed_window_answer_ends_in_the_template_sent_once(
    bot: Bot, graph: FakeGraphApi
) -> None:
    await bot.says("wamid.1", "Здравствуйте")
    await sent(graph, 1)
    bot.clock.advance(timedelta(hours=2))  # inside the window: free text is planned
    graph.fail_next(REENGAGEMENT)
    assert (
        await bot.event({"type": "order_created", "customer": {"phone": WA_ID}, "data": ORDER})
    )[0] == 202
    _, refused, template = await sent(graph, 3)
    assert refused["type"] == "text"
    assert "https://pay.example/A-17" in refused["text"]["body"]
    assert template["template"] == ORDER_TEMPLATE
    assert [status for _, status, _ in await bot.outbox()] == ["sent", "sent"]


async def test_a_reply_that_cannot_be_sent_is_recorded_never_silently_missing(
    bot: Bot, graph: FakeGraphApi
) -> None:
    body = {
        "type": "order_shipped",
        "customer": {"phone": "+7 916 555-44-33"},
        "data": {"order_id": "A-9"},
    }
    assert (await bot.event(body))[0] == 202  # no {tracking}: the template cannot be filled
    await asyncio.sleep(0.3)
    assert graph.calls == []
    assert await bot.outbox() == [
        ("order_shipped", "skipped", "template order_shipped: no value for {tracking}")
    ]
    assert 'chatbot_replies_skipped_total{key="order_shipped"} 1.0' in await bot.metrics()


async def test_a_window_closed_message_without_template_is_skipped_and_counted(
    bot: Bot, graph: FakeGraphApi
) -> None:
    await bot.says("wamid.1", "Здравствуйте")
    await sent(graph, 1)
    graph.fail_next(REENGAGEMENT)
    await bot.says("wamid.2", "Позовите менеджера")  # an answer, planned as free text
    await sent(graph, 2)
    key, status, error = (await bot.outbox())[-1]
    assert (key, status) == ("handoff_human", "skipped")
    assert "no template" in str(error)
    assert 'chatbot_replies_skipped_total{key="handoff_human"} 1.0' in await bot.metrics()


@pytest.mark.parametrize(
    ("customer", "status", "needle"),
    [
        ({"channel": "telegram", "chat_id": "123456"}, 404, "never wrote to the bot"),
        ({"channel": "console", "chat_id": "c-1"}, 404, "never wrote to the bot"),
        ({"phone": "8 916 123-45"}, 422, "not a phone number (country RU)"),
    ],
)
async def test_a_chat_the_bot_cannot_reach_is_refused(
    bot: Bot, graph: FakeGraphApi, customer: dict[str, str], status: int, needle: str
) -> None:
    got, answer = await bot.event({"type": "missed_call", "customer": customer})
    assert got == status
    assert needle in json.dumps(answer, ensure_ascii=False)
    await asyncio.sleep(0.2)
    assert graph.calls == []
    assert await bot.outbox() == []
