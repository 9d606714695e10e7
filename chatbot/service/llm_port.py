"""The LLM port: what the pipeline needs from an intent-classifying model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

OutputMode = Literal["json_schema", "json_object", "text"]


@dataclass(frozen=True, slots=True)
class LlmResult:
    """A model's valid decision and what it cost."""

    intent: str
    latency_s: float
    prompt_tokens: int
    completion_tokens: int
    mode: OutputMode
    cached: bool = False


class IntentLlm(Protocol):
    """Classifies one message; None when the model failed, timed out or answered garbage."""

    async def classify(
        self,
        text: str,
        *,
        stage: str,
        last_bot_message: str,
        lang: str,
        known_intents: frozenset[str],
    ) -> LlmResult | None:
        """The model's intent (always one of `known_intents`) or None."""
        ...
