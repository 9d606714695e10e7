"""When the outbox tries a failed send again: bounded by time since its first failure."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_WINDOW = timedelta(hours=1)
DEFAULT_MAX_BACKOFF = 60.0
FIRST_BACKOFF = 2.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Transient failures are retried until `window` after the row's first failure, then given up.

    Time, not a count of attempts, bounds the retries: an outage of the messenger's API shorter
    than the window loses nothing however many tries it takes, and a chat's later messages,
    which wait behind its first, are not dropped one by one after a few quick failures.
    """

    window: timedelta = DEFAULT_WINDOW
    max_backoff: float = DEFAULT_MAX_BACKOFF
    # A number in [0, 1); tests pass a fixed one to know when the next try is due.
    jitter: Callable[[], float] = field(default=random.random)

    def deadline(self, first_failed_at: datetime) -> datetime:
        """The last moment a row that first failed at `first_failed_at` is tried again."""
        return first_failed_at + self.window

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failure in a row.

        Doubling from 2 s up to `max_backoff`; the wait is drawn from the upper half of that at
        random, so chats that failed together (an outage) do not all come back at the same moment.
        """
        full = min(FIRST_BACKOFF * 2.0 ** max(failures - 1, 0), self.max_backoff)
        return full * (0.5 + 0.5 * self.jitter())

    def next_try(
        self, failures: int, first_failed_at: datetime, now: datetime, retry_after: float | None
    ) -> datetime | None:
        """When to try again after a transient failure at `now`; None when the window is over.

        A `retry_after` (flood control) is waited in full, even past the deadline: sending
        earlier would only be refused again. A backoff is cut at the deadline, so the last try
        comes right at it.
        """
        deadline = self.deadline(first_failed_at)
        if now >= deadline:
            return None
        if retry_after is not None:
            return now + timedelta(seconds=retry_after)
        return min(now + timedelta(seconds=self.backoff(failures)), deadline)
