"""Rules, the LLM alone and the combined policy run side by side on the same labelled lines.

The combined column is the pipeline's decision policy (rules first, the LLM only when the rules
are unsure, the rules' answer when the LLM gives none) and calls the LLM for real, so its cost
is measured, not estimated. Each LLM column has its own client, cache and breaker, so neither
profits from the other's answers. Every message is read as a dialog's first one (stage `new`,
no bot message before it), as the labelled corpora are judged without context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chatbot.engine.decision import RulesFn
from chatbot.intents.policy import combine, needs_llm
from chatbot.llm.classifier import LlmClassifier
from chatbot.llm.stats import LlmStats

FIRST_STAGE = "new"
NO_ANSWER = "other"  # what the LLM-only column predicts when the model gives no intent
COLUMNS = ("rules", "llm", "combined")

LlmFactory = Callable[[], LlmClassifier]
Progress = Callable[[str, int, int], None]  # column, messages done, messages to do


@dataclass(frozen=True, slots=True)
class Sample:
    """One labelled message and its language."""

    text: str
    label: str
    lang: str


@dataclass(frozen=True, slots=True)
class LlmCost:
    """What one column asked of the LLM and how the LLM behaved."""

    messages: int  # lines scored
    asked: int  # messages handed to the LLM
    answered: int  # of those, how many got an intent back (cache hits included)
    calls: int  # classifications sent to the server (retries are part of one call)
    outcomes: dict[str, int]
    prompt_tokens: int
    completion_tokens: int
    latency_p50_s: float
    latency_p95_s: float

    @property
    def calls_per_100(self) -> float:
        """Classifications sent to the server per 100 messages."""
        return 100 * self.calls / self.messages if self.messages else 0.0

    @property
    def fallbacks(self) -> int:
        """Messages the LLM was asked about but gave no intent for."""
        return self.asked - self.answered

    def to_json(self) -> dict[str, Any]:
        """The JSON form printed by `eval-intents --llm --json`."""
        return {
            "asked": self.asked,
            "calls": self.calls,
            "calls_per_100": round(self.calls_per_100, 2),
            "outcomes": dict(self.outcomes),
            "fallbacks": self.fallbacks,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_ms": {
                "p50": round(self.latency_p50_s * 1000),
                "p95": round(self.latency_p95_s * 1000),
            },
        }


@dataclass(frozen=True, slots=True)
class Column:
    """One way of classifying: its prediction for every sample and its LLM cost (None: rules)."""

    name: str
    predicted: tuple[str, ...]
    cost: LlmCost | None = None


async def compare(
    samples: Sequence[Sample],
    rules: RulesFn,
    make_llm: LlmFactory,
    known_intents: frozenset[str],
    *,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> tuple[Column, Column, Column]:
    """The rules, LLM-only and combined columns; at most `concurrency` LLM requests at once."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    decisions = [rules(s.text) for s in samples]
    ruled = Column("rules", tuple(d.intent for d in decisions))

    async def llm_only(llm: LlmClassifier, i: int) -> tuple[str, bool]:
        intent = await _ask(llm, samples[i], known_intents)
        return (intent or NO_ANSWER), intent is not None

    async def combined(llm: LlmClassifier, i: int) -> tuple[str, bool]:
        intent = await _ask(llm, samples[i], known_intents)
        return combine(decisions[i], intent).intent, intent is not None

    everything = range(len(samples))
    unsure = [i for i, d in enumerate(decisions) if needs_llm(d)]
    alone = await _column(
        "llm", samples, everything, ruled.predicted, llm_only, make_llm, concurrency, progress
    )
    both = await _column(
        "combined", samples, unsure, ruled.predicted, combined, make_llm, concurrency, progress
    )
    return ruled, alone, both


async def _ask(llm: LlmClassifier, sample: Sample, known: frozenset[str]) -> str | None:
    result = await llm.classify(
        sample.text, stage=FIRST_STAGE, last_bot_message="", lang=sample.lang, known_intents=known
    )
    return result.intent if result is not None else None


async def _column(
    name: str,
    samples: Sequence[Sample],
    asked: Sequence[int],
    base: tuple[str, ...],
    classify: Callable[[LlmClassifier, int], Awaitable[tuple[str, bool]]],
    make_llm: LlmFactory,
    concurrency: int,
    progress: Progress | None,
) -> Column:
    """Ask the LLM about the `asked` samples; the others keep their `base` prediction."""
    predicted = list(base)
    answered = 0
    done = 0
    pending = iter(asked)  # shared by the workers: each takes the next index
    llm = make_llm()
    llm.stats = LlmStats(window=max(1, len(asked)))  # percentiles over every call, not a window

    async def worker() -> None:
        nonlocal answered, done
        for i in pending:
            predicted[i], got = await classify(llm, i)
            answered += got
            done += 1
            if progress is not None:
                progress(name, done, len(asked))

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(asked))):
                group.create_task(worker())
    finally:
        await llm.aclose()
    return Column(name, tuple(predicted), _cost(llm.stats, len(samples), len(asked), answered))


def _cost(s: LlmStats, messages: int, asked: int, answered: int) -> LlmCost:
    return LlmCost(
        messages,
        asked,
        answered,
        s.calls,
        s.outcomes(),
        s.prompt_tokens,
        s.completion_tokens,
        s.percentile(0.5),
        s.percentile(0.95),
    )
