"""What the classifier and the writer share: one chat model on one client, behind one guard."""

from __future__ import annotations

from openai import AsyncOpenAI

from chatbot.llm.breaker import CircuitBreaker
from chatbot.llm.guarded import Guard
from chatbot.llm.stats import LlmStats


class GuardedModel:
    """A chat model of an OpenAI-compatible server whose every call goes through one guard."""

    def __init__(self, client: AsyncOpenAI, *, model: str, template: str, guard: Guard) -> None:
        self._client = client
        self._model = model
        self._template = template
        self._guard = guard

    @property
    def breaker(self) -> CircuitBreaker:
        """The circuit breaker guarding the server (shared when several models are built so)."""
        return self._guard.breaker

    @property
    def stats(self) -> LlmStats:
        """What the calls did and cost."""
        return self._guard.stats

    @stats.setter
    def stats(self, stats: LlmStats) -> None:
        """Count from now on into `stats` (an evaluation keeps every call, not a window)."""
        self._guard.stats = stats

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()
