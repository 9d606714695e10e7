"""A circuit breaker: stop calling a failing dependency, probe it again after a cool-down."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Literal

from chatbot.core.clock import Clock

log = logging.getLogger(__name__)

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Closed → open after `threshold` failures in a row; one probe after `cooldown`.

    A successful probe closes the breaker, a failed one opens it for another cool-down. A probe
    that never reports (its caller was cancelled) is given up after a cool-down, so the breaker
    cannot stay half-open forever.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        threshold: int = 3,
        cooldown: timedelta = timedelta(seconds=30),
        name: str = "llm",
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self._clock = clock
        self._threshold = threshold
        self._cooldown = cooldown
        self._name = name
        self._failures = 0
        self._opened_at: datetime | None = None
        self._probe_at: datetime | None = None

    @property
    def state(self) -> BreakerState:
        """Where the breaker is now (a cool-down that ended reads as half-open)."""
        if self._opened_at is None:
            return "closed"
        if self._probe_at is not None or self._clock.now() >= self._opened_at + self._cooldown:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go through now? In half-open state only one probe at a time does."""
        if self._opened_at is None:
            return True
        now = self._clock.now()
        if self._probe_at is not None and now < self._probe_at + self._cooldown:
            return False
        if now < self._opened_at + self._cooldown:
            return False
        self._probe_at = now
        log.info("breaker.probe", extra={"breaker": self._name})
        return True

    def success(self) -> None:
        """A call worked: close the breaker."""
        if self._opened_at is not None:
            log.info("breaker.closed", extra={"breaker": self._name})
        self._failures = 0
        self._opened_at = None
        self._probe_at = None

    def failure(self) -> None:
        """A call failed: count it, and open the breaker at the threshold or after a probe."""
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._threshold:
            if self._opened_at is None or self._probe_at is not None:
                log.warning(
                    "breaker.opened", extra={"breaker": self._name, "failures": self._failures}
                )
            self._opened_at = self._clock.now()
            self._probe_at = None
