"""The side-by-side evaluation when the LLM is down: the combined column is the rules' answer."""

from __future__ import annotations

import socket

from openai import AsyncOpenAI

from chatbot.admin_files.rules_loader import load_rules
from chatbot.core.intents import INTENTS
from chatbot.intents.rules import classify
from chatbot.llm.classifier import LlmClassifier
from chatbot.service.llm_evaluation import Sample, compare
from tests.conftest import ROOT

TEMPLATE = (ROOT / "prompts" / "classify.md").read_text(encoding="utf-8")
UNSURE = ["ну не знаю даже", "интересно", "сложно сказать", "вот это поворот", "хм", "так"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the socket is closed


async def test_an_unreachable_llm_leaves_the_rules_and_the_breaker_skips() -> None:
    rules = load_rules(ROOT / "flows" / "intents")
    base_url = f"http://127.0.0.1:{closed_port()}/v1"

    def make_llm() -> LlmClassifier:
        client = AsyncOpenAI(base_url=base_url, api_key="k", max_retries=0, timeout=1.0)
        return LlmClassifier(client, model="m", template=TEMPLATE, deadline=1.0)

    samples = [Sample(text, "other", "ru") for text in ["спасибо огромное", *UNSURE]]
    ruled, alone, both = await compare(
        samples, lambda t: classify(t, rules), make_llm, frozenset(INTENTS), concurrency=1
    )
    assert both.predicted == ruled.predicted
    assert alone.predicted == ("other",) * len(samples)
    assert both.cost is not None
    assert alone.cost is not None
    assert both.cost.asked == len(UNSURE)
    assert both.cost.fallbacks == len(UNSURE)
    assert both.cost.outcomes["error"] == 3  # then the breaker opens
    assert both.cost.outcomes["skipped"] == len(UNSURE) - 3
    assert both.cost.calls == 3
    assert (both.cost.prompt_tokens, both.cost.completion_tokens) == (0, 0)
    assert alone.cost.outcomes["skipped"] == len(samples) - 3
