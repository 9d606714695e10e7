"""The clock port: real time at the edges, a virtual clock in simulations and tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current aware UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The virtual time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new time."""
        if delta < timedelta(0):
            raise ValueError("the clock cannot go back")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (never backwards)."""
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError("the clock cannot go back")
        self._now = when
