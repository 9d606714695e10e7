"""Counters of the LLM client: calls by outcome, cache hits, tokens and latencies."""

from __future__ import annotations

from collections import deque

# Upper bounds (seconds) of the latency histogram; the deadline is a few seconds by default.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0)


class LlmStats:
    """What the LLM cost and how it behaved; a metrics exporter reads these fields.

    `calls` counts classifications sent to the server; each ends as exactly one of `ok`,
    `invalid` (an unusable answer), `refused`, or a failure (`failures`, of which `timeouts`
    ran out of time). `cache_hits` and `skipped` (breaker open) never reach the server.
    """

    def __init__(self, window: int = 1000) -> None:
        self.calls = 0
        self.ok = 0
        self.failures = 0
        self.timeouts = 0
        self.invalid = 0
        self.refused = 0
        self.cache_hits = 0
        self.skipped = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.latencies: deque[float] = deque(maxlen=window)  # bounded: a rolling window
        self.latency_sum = 0.0
        self.latency_counts = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf

    def outcomes(self) -> dict[str, int]:
        """How every classification ended, by outcome name (the labels of the metrics)."""
        return {
            "ok": self.ok,
            "invalid": self.invalid,
            "refused": self.refused,
            "error": self.failures - self.timeouts,
            "timeout": self.timeouts,
            "skipped": self.skipped,  # the circuit breaker was open
            "cached": self.cache_hits,
        }

    def observe_latency(self, seconds: float) -> None:
        """Record the duration of one call sent to the server."""
        self.latencies.append(seconds)
        self.latency_sum += seconds
        index = next(
            (i for i, bound in enumerate(LATENCY_BUCKETS) if seconds <= bound),
            len(LATENCY_BUCKETS),
        )
        self.latency_counts[index] += 1

    def percentile(self, share: float) -> float:
        """A latency percentile (0 < share <= 1) over the recent calls, 0.0 before any."""
        if not self.latencies:
            return 0.0
        ranked = sorted(self.latencies)
        return ranked[min(len(ranked) - 1, int(share * len(ranked)))]
