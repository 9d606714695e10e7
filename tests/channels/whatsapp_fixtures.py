"""Fixtures for WhatsApp tests: the fake Graph API, the channel served on loopback, a pipeline.

Test modules bind the fixtures they use to module names (the folder's conftest.py is the
Telegram tests'), e.g. `graph = whatsapp_fixtures.graph`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from chatbot.admin_files.loader import load_flows
from chatbot.channels.whatsapp import WhatsAppChannel
from chatbot.channels.whatsapp_sender import WhatsAppSender
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.ports.inbound import Inbound, InboundHandler
from chatbot.service.pipeline import Outcome, Pipeline
from tests.channels.fake_graph_api import PHONE_NUMBER_ID, TOKEN, FakeGraphApi
from tests.conftest import ROOT
from tests.service.fakes import keyword_rules

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
START = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header Meta sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Handed:
    """A pipeline stand-in that records what it was handed and fails when told to."""

    def __init__(self) -> None:
        self.inbounds: list[Inbound] = []
        self.failures = 0

    async def __call__(self, inbound: Inbound) -> Outcome:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is down")
        self.inbounds.append(inbound)
        return Outcome(dialog_id=1, trace=())


class Webhook:
    """A client of the served channel that posts signed bodies."""

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        self.client = client

    async def post(self, payload: Any, signature: str | None = "auto") -> tuple[int, Any]:
        """POST a body (dict, or raw bytes) signed with the test secret; (status, JSON answer)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = sign(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with self.client.post("/whatsapp/webhook", data=body, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    """The fake Graph API on 127.0.0.1."""
    fake = FakeGraphApi()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def wa_channel(graph: FakeGraphApi) -> AsyncIterator[WhatsAppChannel]:
    """A WhatsApp channel whose sender talks to the fake Graph API."""
    channel = WhatsAppChannel(
        WhatsAppSender(graph.base, PHONE_NUMBER_ID, TOKEN), APP_SECRET, VERIFY_TOKEN
    )
    yield channel
    await channel.close()


@asynccontextmanager
async def serving(channel: WhatsAppChannel, handle: InboundHandler) -> AsyncIterator[Webhook]:
    """Serve the channel's routes on 127.0.0.1 with the channel running; a signed-POST client."""
    application = web.Application()
    application.router.add_routes(channel.routes())
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run(handle, stop))
    await asyncio.sleep(0)  # let run() take the handler
    client = TestClient(TestServer(application, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Webhook(client)
    finally:
        await client.close()
        stop.set()
        async with asyncio.timeout(2.0):
            await task


@pytest.fixture
def handed() -> Handed:
    """A handler that records Inbounds."""
    return Handed()


@pytest.fixture
def wa_pipeline(db: Database) -> Pipeline:
    """The real pipeline over the shipped flows with keyword rules, at Monday 11:00."""
    return Pipeline(db, load_flows(ROOT / "flows"), keyword_rules, VirtualClock(START))
