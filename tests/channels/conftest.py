"""Fixtures for channel tests: the fake Bot API, a real aiogram Bot, a recording handler."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram import Bot

from chatbot.admin_files.loader import load_flows
from chatbot.channels.telegram import TelegramChannel
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.engine.flowset import FlowSet
from chatbot.ports.inbound import Inbound, InboundHandler
from chatbot.service.pipeline import Outcome, Pipeline
from tests.channels.fake_bot_api import FakeBotApi
from tests.conftest import ROOT
from tests.service.conftest import START
from tests.service.fakes import keyword_rules


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A real aiogram Bot pointed at the fake (short request timeout for the stall tests)."""
    real = api.bot(timeout=2.0)
    yield real
    await real.session.close()


class Recorder:
    """An in-memory pipeline: records what it was handed, fails when told to."""

    def __init__(self) -> None:
        self.inbounds: list[Inbound] = []
        self.failures = 0
        self.arrived = asyncio.Event()

    async def __call__(self, inbound: Inbound) -> Outcome:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is down")
        self.inbounds.append(inbound)
        self.arrived.set()
        return Outcome(dialog_id=1, trace=())

    async def wait_for(self, count: int) -> list[Inbound]:
        """Wait (at most 5 s) until `count` events were recorded."""
        async with asyncio.timeout(5.0):
            while len(self.inbounds) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.inbounds


@pytest.fixture
def recorder() -> Recorder:
    """A handler that records Inbounds."""
    return Recorder()


@asynccontextmanager
async def running(channel: TelegramChannel, handle: InboundHandler) -> AsyncIterator[None]:
    """Run the channel in the background; stopping it must be prompt."""
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run(handle, stop))
    try:
        yield
    finally:
        stop.set()
        async with asyncio.timeout(2.0):
            await task


@pytest.fixture(scope="session")
def shipped_flows() -> FlowSet:
    """The flows in flows/."""
    return load_flows(ROOT / "flows")


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock at Monday 11:00 shop time."""
    return VirtualClock(START)


@pytest.fixture
def pipeline(db: Database, shipped_flows: FlowSet, clock: VirtualClock) -> Pipeline:
    """The real pipeline over the shipped flows with keyword rules."""
    return Pipeline(db, shipped_flows, keyword_rules, clock)
