"""One guarded call to the model: breaker, total deadline, retries and stats, for every client.

The SDK's own retries are off: tenacity is the one retry layer (429, 5xx, timeouts, connection
errors) and `asyncio.timeout` bounds the whole call, retries included. A circuit breaker skips
the server while it is failing. An answer that cannot be used is asked again once, when asking
again may help; the server worked, so it does not count against the breaker.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import openai
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, stop_before_delay

from chatbot.llm.breaker import CircuitBreaker
from chatbot.llm.stats import LlmStats

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
T = TypeVar("T")
_RETRY_STATUSES = frozenset({408, 409, 429})


class Unusable(Exception):
    """An answer that cannot be used; `retry` says whether asking again may help."""

    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass
class Usage:
    """The tokens one guarded call spent, over all its attempts."""

    prompt: int = 0
    completion: int = 0

    def add(self, usage: object | None) -> None:
        """Count an SDK completion's usage (absent on some servers)."""
        if usage is not None:
            self.prompt += getattr(usage, "prompt_tokens", 0)
            self.completion += getattr(usage, "completion_tokens", 0)


@dataclass(frozen=True)
class Attempted(Generic[T]):
    """How a guarded call ended: a value, an unusable answer, or an error; and what it cost."""

    value: T | None
    unusable: Unusable | None
    error: BaseException | None
    latency_s: float
    usage: Usage


class Guard:
    """The breaker, deadline and stats one client's calls share."""

    def __init__(self, breaker: CircuitBreaker, deadline: float, failed_event: str) -> None:
        self.breaker = breaker
        self.deadline = deadline
        self.stats = LlmStats()
        self._failed_event = failed_event

    def allow(self) -> bool:
        """Whether the breaker lets a call through (a skipped call is counted)."""
        if self.breaker.allow():
            return True
        self.stats.skipped += 1
        log.debug("llm.skipped", extra={"breaker": self.breaker.state})
        return False

    async def call(self, once: Callable[[Usage], Awaitable[T]]) -> Attempted[T]:
        """`once(usage)` retried within the deadline; never raises (but for cancellation)."""
        self.stats.calls += 1
        usage = Usage()
        started = time.monotonic()
        value: T | None = None
        unusable: Unusable | None = None
        error: BaseException | None = None
        try:
            async with asyncio.timeout(self.deadline):
                value = await _retrying(lambda: once(usage), self.deadline)
        except Unusable as exc:
            unusable = exc
            if exc.reason == "refused":
                self.stats.refused += 1
            else:
                self.stats.invalid += 1
            self.breaker.success()  # the server works; its answer was just unusable
        except Exception as exc:  # any failure of an optional helper: the caller falls back
            error = exc
            self.stats.failures += 1
            if isinstance(exc, TimeoutError | openai.APITimeoutError):
                self.stats.timeouts += 1
            self.breaker.failure()
            status = getattr(exc, "status_code", None)
            log.warning(self._failed_event, extra={"error": type(exc).__name__, "status": status})
            # may quote the request or the dialog: DEBUG only
            log.debug(f"{self._failed_event}.detail", exc_info=True)
        else:
            self.breaker.success()
        latency = time.monotonic() - started
        self.stats.observe_latency(latency)
        self.stats.prompt_tokens += usage.prompt
        self.stats.completion_tokens += usage.completion
        return Attempted(value, unusable, error, latency, usage)


async def _retrying(call: Callable[[], Awaitable[T]], deadline: float) -> T:
    """`call` under the one retry policy of every client, all within `deadline` seconds.

    Transient errors are retried; an unusable answer is asked again once, when asking again
    may help (a model that answered nonsense twice will not improve).
    """
    unusable = 0

    def retry(state: RetryCallState) -> bool:
        nonlocal unusable
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Unusable):
            unusable += 1
            return exc.retry and unusable <= 1
        return exc is not None and _transient(exc)

    async for attempt in AsyncRetrying(
        retry=retry,
        stop=stop_after_attempt(MAX_ATTEMPTS) | stop_before_delay(deadline),
        wait=_wait,
        before_sleep=_log_retry,
        reraise=True,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable: AsyncRetrying returns or raises")  # pragma: no cover


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in _RETRY_STATUSES
    return False


def _wait(state: RetryCallState) -> float:
    """Retry-After when the server sent one, else a short exponential backoff with jitter."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, Unusable):
        return 0.0
    if isinstance(exc, openai.APIStatusError):
        headers = exc.response.headers
        try:
            if "retry-after-ms" in headers:
                return max(0.0, float(str(headers["retry-after-ms"])) / 1000)
            if "retry-after" in headers:
                return max(0.0, float(str(headers["retry-after"])))
        except ValueError:
            pass  # an HTTP date or junk: fall back to the backoff
    return min(1.0, 0.1 * 2.0 ** (state.attempt_number - 1)) + random.uniform(0, 0.05)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    sleep = round(state.upcoming_sleep, 3)
    extra = {"attempt": state.attempt_number, "error": type(exc).__name__, "sleep_s": sleep}
    log.info("llm.retry", extra=extra)
