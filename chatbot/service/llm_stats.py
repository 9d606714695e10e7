"""Counters of the LLM client: calls, failures, cache hits, tokens and recent latencies."""

from __future__ import annotations

from collections import deque


class LlmStats:
    """What the LLM cost and how it behaved; a metrics exporter reads these fields."""

    def __init__(self, window: int = 1000) -> None:
        self.calls = 0
        self.failures = 0
        self.invalid = 0
        self.cache_hits = 0
        self.skipped = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.latencies: deque[float] = deque(maxlen=window)  # bounded: a rolling window

    def percentile(self, share: float) -> float:
        """A latency percentile (0 < share <= 1) over the recent calls, 0.0 before any."""
        if not self.latencies:
            return 0.0
        ranked = sorted(self.latencies)
        return ranked[min(len(ranked) - 1, int(share * len(ranked)))]
