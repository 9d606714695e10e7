"""The circuit breaker, driven by a virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatbot.core.clock import VirtualClock
from chatbot.llm.breaker import CircuitBreaker

COOLDOWN = timedelta(seconds=30)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def breaker(clock: VirtualClock) -> CircuitBreaker:
    return CircuitBreaker(clock, threshold=3, cooldown=COOLDOWN)


def _trip(breaker: CircuitBreaker) -> None:
    for _ in range(3):
        assert breaker.allow()
        breaker.failure()


def test_closed_until_failures_in_a_row_reach_the_threshold(breaker: CircuitBreaker) -> None:
    breaker.failure()
    breaker.failure()
    breaker.success()  # the count restarts
    breaker.failure()
    breaker.failure()
    assert breaker.state == "closed"
    assert breaker.allow()
    breaker.failure()
    assert breaker.state == "open"
    assert not breaker.allow()


def test_one_probe_after_the_cooldown(breaker: CircuitBreaker, clock: VirtualClock) -> None:
    _trip(breaker)
    clock.advance(COOLDOWN - timedelta(seconds=1))
    assert not breaker.allow()
    clock.advance(timedelta(seconds=1))
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time


def test_a_successful_probe_closes(breaker: CircuitBreaker, clock: VirtualClock) -> None:
    _trip(breaker)
    clock.advance(COOLDOWN)
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed"
    assert breaker.allow()
    breaker.failure()
    assert breaker.state == "closed"  # the count starts from zero again


def test_a_failed_probe_opens_for_another_cooldown(
    breaker: CircuitBreaker, clock: VirtualClock
) -> None:
    _trip(breaker)
    clock.advance(COOLDOWN)
    assert breaker.allow()
    breaker.failure()
    assert breaker.state == "open"
    clock.advance(COOLDOWN - timedelta(seconds=1))
    assert not breaker.allow()
    clock.advance(timedelta(seconds=1))
    assert breaker.allow()


def test_a_probe_that_never_reports_is_given_up(
    breaker: CircuitBreaker, clock: VirtualClock
) -> None:
    _trip(breaker)
    clock.advance(COOLDOWN)
    assert breaker.allow()  # the caller is cancelled and never reports
    clock.advance(COOLDOWN)
    assert breaker.allow()


def test_the_threshold_must_be_positive(clock: VirtualClock) -> None:
    with pytest.raises(ValueError, match="threshold"):
        CircuitBreaker(clock, threshold=0)
