"""The LLM part of /metrics, scraped over HTTP: calls by outcome, tokens, latency, breaker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime
from tests.conftest import ROOT
from tests.llm import fake_openai as f
from tests.llm.fake_openai import FakeOpenAI
from tests.service.conftest import START

DEADLINE = 0.6  # seconds; the hanging reply costs one deadline
OUTCOMES = ("ok", "invalid", "refused", "error", "timeout", "skipped", "cached")
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.close()


async def make_runtime(tmp_path: Path, llm_base_url: str | None) -> Runtime:
    llm = (
        {}
        if llm_base_url is None
        else {
            "LLM_BASE_URL": llm_base_url,
            "LLM_MODEL": "fake-model",
            "LLM_API_KEY": "test-key",
            "LLM_DEADLINE_SECONDS": DEADLINE,
            "LLM_TIMEOUT_SECONDS": DEADLINE,
        }
    )
    settings = Settings(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        **llm,
    )
    return Runtime(await open_app(settings, VirtualClock(START)), senders={})


async def scrape(runtime: Runtime) -> Samples:
    server = TestServer(runtime.web_app(), host="127.0.0.1")
    await server.start_server()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(str(server.make_url("/metrics"))) as response,
        ):
            assert response.status == 200
            body = await response.text()
    finally:
        await server.close()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def test_llm_outcomes_tokens_latency_and_breaker(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.by_text = {
        "а если синие?": f.label("thinking"),
        "ну не знаю даже": f.UNKNOWN_LABEL,  # asked twice, then given up as invalid
        "интересно": f.REFUSAL_FIELD,
        "сложно сказать": f.UNAUTHORIZED,  # not retried: one error
        "вот это поворот": f.HANG,
        "а что по поводу зелёных": f.UNAUTHORIZED,  # the third failure in a row opens the breaker
    }
    runtime = await make_runtime(tmp_path, fake.base_url)
    texts = ["а если синие?", "а если синие?", *list(fake.by_text)[1:], "хм"]
    try:
        for chat, text in enumerate(texts):
            inbound = Inbound("telegram", str(chat), IncomingText(text), f"m{chat}")
            await runtime.handle(inbound)
        samples = await scrape(runtime)
    finally:
        await runtime.app.close()

    calls = {o: value(samples, "chatbot_llm_calls_total", outcome=o) for o in OUTCOMES}
    assert calls == {
        "ok": 1,
        "invalid": 1,
        "refused": 1,
        "error": 2,
        "timeout": 1,
        "skipped": 1,
        "cached": 1,
    }
    assert len(fake.requests) == 7  # the invalid answer was asked twice; skipped and cached: none
    assert value(samples, "chatbot_llm_tokens_total", kind="prompt") == 4 * 120
    assert value(samples, "chatbot_llm_tokens_total", kind="completion") == 4 * 7
    sent = 6  # every classification that reached the server has one duration, retries included
    assert value(samples, "chatbot_llm_latency_seconds_count") == sent
    assert value(samples, "chatbot_llm_latency_seconds_bucket", le="+Inf") == sent
    buckets = sorted(
        (float(dict(labels)["le"]), v)
        for (name, labels), v in samples.items()
        if name == "chatbot_llm_latency_seconds_bucket"
    )
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)  # cumulative
    assert value(samples, "chatbot_llm_latency_seconds_sum") > 0
    assert value(samples, "chatbot_llm_breaker_state", state="open") == 1
    assert value(samples, "chatbot_llm_breaker_state", state="closed") == 0
    assert value(samples, "chatbot_intents_total", intent="thinking", source="llm") == 2
    assert value(samples, "chatbot_intents_total", intent="other", source="rules") >= 4


async def test_no_llm_metrics_without_a_model(tmp_path: Path) -> None:
    runtime = await make_runtime(tmp_path, None)
    try:
        await runtime.handle(Inbound("telegram", "1", IncomingText("а если синие?"), "m1"))
        samples = await scrape(runtime)
    finally:
        await runtime.app.close()
    assert not [name for name, _ in samples if name.startswith("chatbot_llm_")]
    assert value(samples, "chatbot_intents_total", intent="other", source="rules") == 1
