"""WhatsApp through the real runtime: signed webhook in, pipeline, outbox, fake Graph API out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatbot.channels.whatsapp import WhatsAppChannel, whatsapp_channel_from
from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.db import dialogs
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_graph_api import PHONE_NUMBER_ID, TOKEN, FakeGraphApi
from tests.conftest import ROOT

# The folder's conftest belongs to the Telegram tests; these fixtures are taken by name.
graph = fx.graph
WA_ID = "79990001122"


class Served:
    """The runtime's web app on loopback, with the WhatsApp channel and the outbox loop running."""

    def __init__(self, runtime: Runtime, channel: WhatsAppChannel, base: str) -> None:
        self.runtime = runtime
        self.channel = channel
        self.base = base

    async def post(self, session: aiohttp.ClientSession, payload: dict[str, Any]) -> int:
        """POST a signed notification; the status code."""
        body = json.dumps(payload).encode()
        headers = {"X-Hub-Signature-256": fx.sign(body), "Content-Type": "application/json"}
        async with session.post(
            f"{self.base}/whatsapp/webhook", data=body, headers=headers
        ) as resp:
            return resp.status


@pytest.fixture
async def served(graph: FakeGraphApi, tmp_path: Path) -> AsyncIterator[Served]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'wa.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        WHATSAPP_TOKEN=TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=fx.APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=fx.VERIFY_TOKEN,
        WHATSAPP_API_BASE=graph.base,
    )
    app = await open_app(settings, VirtualClock(fx.START))
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
        yield Served(runtime, channel, str(server.make_url("")))
    finally:
        stop.set()
        await asyncio.gather(*loops)
        await server.close()
        await channel.close()
        await app.close()


def notification(*, messages: Sequence[Any] = (), statuses: Sequence[Any] = ()) -> dict[str, Any]:
    """One entry with one `messages` change."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"wa_id": WA_ID, "profile": {"name": "Анна"}}],
        "messages": list(messages),
        "statuses": list(statuses),
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def text(wamid: str, body: str) -> dict[str, Any]:
    """A customer's text message."""
    return {"from": WA_ID, "id": wamid, "timestamp": "1", "type": "text", "text": {"body": body}}


async def replies(graph: FakeGraphApi, count: int) -> list[dict[str, Any]]:
    """Wait until the fake Graph API received `count` messages."""
    await graph.wait_for(count)
    await asyncio.sleep(0.1)  # anything more would arrive now
    return [c.body for c in graph.calls]


async def test_a_message_gets_the_menu_once_and_a_list_choice_is_understood(
    served: Served, graph: FakeGraphApi
) -> None:
    async with aiohttp.ClientSession() as session:
        first = notification(messages=[text("wamid.1", "Здравствуйте")])
        assert await served.post(session, first) == 200
        assert await served.post(session, first) == 200  # Meta's redelivery
        [menu] = await replies(graph, 1)
        assert menu["to"] == WA_ID
        assert menu["type"] == "interactive"
        options = (menu["interactive"]["action"].get("sections") or [{}])[0].get("rows") or [
            b["reply"] for b in menu["interactive"]["action"]["buttons"]
        ]
        chosen = options[0]
        kind = "list_reply" if menu["interactive"]["type"] == "list" else "button_reply"
        choice = {
            "from": WA_ID,
            "id": "wamid.2",
            "timestamp": "2",
            "type": "interactive",
            "interactive": {"type": kind, kind: {"id": chosen["id"], "title": chosen["title"]}},
        }
        assert await served.post(session, notification(messages=[choice])) == 200
        await replies(graph, 2)
    dialog = await served.runtime.app.db.read(dialogs.load_dialog, "whatsapp", WA_ID)
    assert dialog is not None
    assert dialog.phone == "+79990001122"
    assert dialog.state.stage != "new"


async def test_undeliverable_status_closes_the_dialog_and_nothing_more_is_sent(
    served: Served, graph: FakeGraphApi
) -> None:
    async with aiohttp.ClientSession() as session:
        assert await served.post(session, notification(messages=[text("wamid.1", "Привет")])) == 200
        await replies(graph, 1)
        failed = {
            "id": "wamid.fake1",
            "status": "failed",
            "timestamp": "3",
            "recipient_id": WA_ID,
            "errors": [{"code": 131026, "title": "Message undeliverable"}],
        }
        assert await served.post(session, notification(statuses=[failed])) == 200
        assert await served.post(session, notification(messages=[text("wamid.3", "Ау")])) == 200
        await asyncio.sleep(0.2)
    dialog = await served.runtime.app.db.read(dialogs.load_dialog, "whatsapp", WA_ID)
    assert dialog is not None
    assert "do_not_write" in dialog.state.flags
    assert len(graph.calls) == 1
