"""Fixtures of the LLM client tests: a fake OpenAI-compatible server and a client aimed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from openai import AsyncOpenAI

from chatbot.core.clock import VirtualClock
from chatbot.llm.breaker import CircuitBreaker
from chatbot.llm.classifier import LlmClassifier
from chatbot.llm.writer import LlmWriter
from chatbot.ports.llm import OutputMode
from tests.conftest import ROOT
from tests.llm.fake_openai import FakeOpenAI

TEMPLATE = (ROOT / "prompts" / "classify.md").read_text(encoding="utf-8")
NUDGE_TEMPLATE = (ROOT / "prompts" / "nudge.md").read_text(encoding="utf-8")
DEADLINE = 1.2  # seconds; short so that failure tests stay fast, long enough for a loaded machine
COOLDOWN = timedelta(seconds=30)

MakeClassifier = Callable[..., Awaitable[LlmClassifier]]
MakeWriter = Callable[..., Awaitable[LlmWriter]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    """A running fake server."""
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def clock() -> VirtualClock:
    """The breaker's clock."""
    return VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
async def make_classifier(fake: FakeOpenAI, clock: VirtualClock) -> AsyncIterator[MakeClassifier]:
    """Builds classifiers against the fake server and closes them afterwards."""
    made: list[LlmClassifier] = []

    async def make(
        *,
        deadline: float = DEADLINE,
        request_timeout: float = DEADLINE,
        mode: OutputMode | None = None,
        cache_size: int = 16,
        threshold: int = 3,
        base_url: str | None = None,
    ) -> LlmClassifier:
        client = AsyncOpenAI(
            base_url=base_url or fake.base_url,
            api_key="test-key",
            max_retries=0,
            timeout=request_timeout,
        )
        breaker = CircuitBreaker(clock, threshold=threshold, cooldown=COOLDOWN)
        llm = LlmClassifier(
            client,
            model="fake-model",
            template=TEMPLATE,
            shop="Шарики",
            deadline=deadline,
            mode=mode,
            breaker=breaker,
            cache_size=cache_size,
        )
        made.append(llm)
        return llm

    yield make
    for llm in made:
        await llm.aclose()


@pytest.fixture
async def llm(make_classifier: MakeClassifier) -> LlmClassifier:
    """A classifier with the default test settings."""
    return await make_classifier()


@pytest.fixture
async def make_writer(fake: FakeOpenAI, clock: VirtualClock) -> AsyncIterator[MakeWriter]:
    """Builds rewriters against the fake server and closes them afterwards."""
    made: list[LlmWriter] = []

    async def make(
        *,
        deadline: float = DEADLINE,
        request_timeout: float = DEADLINE,
        breaker: CircuitBreaker | None = None,
        base_url: str | None = None,
    ) -> LlmWriter:
        client = AsyncOpenAI(
            base_url=base_url or fake.base_url,
            api_key="test-key",
            max_retries=0,
            timeout=request_timeout,
        )
        writer = LlmWriter(
            client,
            model="fake-model",
            template=NUDGE_TEMPLATE,
            deadline=deadline,
            breaker=breaker or CircuitBreaker(clock, cooldown=COOLDOWN),
        )
        made.append(writer)
        return writer

    yield make
    for writer in made:
        await writer.aclose()
