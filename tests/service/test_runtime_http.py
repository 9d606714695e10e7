"""The HTTP side of `chatbot run`: the events API, /healthz and /metrics, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.db.tables import CrmEventRow, OutboxRow
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime
from tests.conftest import ROOT
from tests.service.conftest import START

TOKEN = "s3cret-token"
ANNA = CustomerInfo(name="Анна", phone="+79990001122")


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = Settings(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        EVENTS_API_TOKEN=TOKEN,
    )
    app = await open_app(settings, VirtualClock(START))
    yield Runtime(app, senders={})
    await app.close()


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    server = TestServer(runtime.web_app(), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield session, str(server.make_url(""))
    await server.close()


async def _post(
    http: tuple[aiohttp.ClientSession, str],
    body: object,
    token: str = TOKEN,
    raw: bytes | None = None,
) -> tuple[int, dict[str, object]]:
    session, base = http
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with session.post(f"{base}/api/events", data=data, headers=headers) as response:
        return response.status, await response.json()


async def _events(runtime: Runtime) -> int:
    async with runtime.app.db.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(CrmEventRow)) or 0)


EVENT = {
    "id": "crm-8841",
    "type": "order_created",
    "customer": {"phone": ANNA.phone},
    "data": {"order_id": "A-17", "amount": 2500, "pay_url": "https://pay.example/A-17"},
}


async def test_event_by_phone_is_accepted_once(
    runtime: Runtime, http: tuple[aiohttp.ClientSession, str]
) -> None:
    await runtime.handle(Inbound("telegram", "55", IncomingText("Здравствуйте"), "m1", ANNA))
    assert await _post(http, EVENT) == (202, {"status": "accepted"})
    assert await _post(http, EVENT) == (202, {"status": "duplicate"})
    assert await _events(runtime) == 1
    async with runtime.app.db.transaction() as s:
        texts = [r.payload.get("text", "") for r in (await s.execute(select(OutboxRow))).scalars()]
    assert any("A-17" in str(t) and "https://pay.example/A-17" in str(t) for t in texts)


async def test_event_by_channel_and_chat(
    runtime: Runtime, http: tuple[aiohttp.ClientSession, str]
) -> None:
    body = {"type": "missed_call", "customer": {"channel": "telegram", "chat_id": "123456"}}
    status, answer = await _post(http, body)  # a chat that never wrote: a bot may not start it
    assert (status, "never wrote to the bot" in str(answer["error"])) == (404, True)
    await runtime.handle(Inbound("telegram", "123456", IncomingText("Здравствуйте"), "m1"))
    assert await _post(http, body) == (202, {"status": "accepted"})


async def test_a_phone_as_the_crm_writes_it_finds_the_chat(
    runtime: Runtime, http: tuple[aiohttp.ClientSession, str]
) -> None:
    await runtime.handle(Inbound("telegram", "55", IncomingText("Здравствуйте"), "m1", ANNA))
    body = {**EVENT, "customer": {"phone": "8 (999) 000-11-22"}}
    assert await _post(http, body) == (202, {"status": "accepted"})
    assert await _events(runtime) == 1


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({**EVENT, "type": "order_lost"}, 422, "unknown event type"),
        ({**EVENT, "data": {"order_id": "A-1"}}, 422, "needs data fields: amount"),
        ({**EVENT, "data": {"order_id": "A-1", "amount": -5}}, 422, "positive number"),
        ({**EVENT, "customer": {}}, 422, "phone"),
        ({**EVENT, "surprise": 1}, 422, "surprise"),
        ([1, 2], 400, "JSON object"),
        ({**EVENT, "customer": {"phone": "+79161112233"}}, 404, "WhatsApp is not configured"),
        ({**EVENT, "customer": {"phone": "8 916 111-22"}}, 422, "not a phone number"),
    ],
)
async def test_bad_events_change_nothing(
    runtime: Runtime,
    http: tuple[aiohttp.ClientSession, str],
    body: object,
    status: int,
    needle: str,
) -> None:
    got, answer = await _post(http, body)
    assert got == status
    assert needle in json.dumps(answer, ensure_ascii=False)
    assert await _events(runtime) == 0


async def test_auth_json_and_size(
    runtime: Runtime, http: tuple[aiohttp.ClientSession, str]
) -> None:
    assert (await _post(http, EVENT, token="wrong"))[0] == 401
    assert (await _post(http, EVENT, token=""))[0] == 401
    assert (await _post(http, None, raw=b"{not json"))[0] == 400
    assert (await _post(http, None, raw=b"{" + b" " * 70_000 + b"}"))[0] == 413
    assert await _events(runtime) == 0


async def test_healthz_and_metrics(
    runtime: Runtime, http: tuple[aiohttp.ClientSession, str]
) -> None:
    await runtime.handle(Inbound("telegram", "1", IncomingText("позовите менеджера"), "m1"))
    session, base = http
    async with session.get(f"{base}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}
    async with session.get(f"{base}/metrics") as response:
        body = await response.text()
    assert 'chatbot_messages_in_total{channel="telegram"} 1.0' in body
    assert 'chatbot_intents_total{intent="human",source="rules"} 1.0' in body
    assert 'chatbot_tasks_total{kind="human"} 1.0' in body


async def test_serve_answers_then_stops_gracefully(runtime: Runtime) -> None:
    import asyncio
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = asyncio.Event()
    serving = asyncio.create_task(runtime.serve(stop, "127.0.0.1", port))
    async with aiohttp.ClientSession() as session:
        for _ in range(50):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status == 200
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("the server did not come up")
    stop.set()
    await asyncio.wait_for(serving, timeout=15)
    assert serving.done()


async def test_a_refused_send_closes_the_dialog_as_blocked(runtime: Runtime) -> None:
    from chatbot.ports.outbound import OutgoingMessage, SendFailed

    class Refusing:
        async def send(self, message: OutgoingMessage) -> None:
            raise SendFailed("403 Forbidden: bot was blocked by the user", blocked=True)

    runtime.outbox.senders = {"telegram": Refusing()}
    await runtime.handle(Inbound("telegram", "9", IncomingText("Здравствуйте"), "m1"))
    await runtime.outbox.deliver_pending()
    state = runtime.app.pipeline.cache.get(("telegram", "9"))
    assert state is not None
    assert state.state.closed
    assert state.state.close_reason == "bot_blocked"
    assert "do_not_write" in state.state.flags
