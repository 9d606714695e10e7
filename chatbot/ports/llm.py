"""The LLM ports: what the pipeline needs from a classifying model, the outbox from a writer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from chatbot.core.nudge import NudgeContext

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


WriteFailure = Literal["unavailable", "timeout", "error", "garbage", "refused", "cut_off"]


@dataclass(frozen=True, slots=True)
class Written:
    """A model's text, or why there is none; the guard decides whether the text is sent."""

    text: str | None
    failure: WriteFailure | None = None
    latency_s: float = 0.0


class TextLlm(Protocol):
    """Rewrites one flow text for a dialog (prompts/nudge.md); never raises."""

    async def write(self, context: NudgeContext) -> Written:
        """The model's text, or a Written with the failure."""
        ...
