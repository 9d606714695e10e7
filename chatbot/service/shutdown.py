"""Shutting down by a deadline: the first SIGTERM/SIGINT drains, a second one exits at once.

Nothing is lost either way: an event is acknowledged (webhook 200, polling offset, 202) only
once committed, so work cut off at the deadline, or by a second signal, is work nobody was told
is done; Telegram, Meta and the CRM deliver it again, and the outbox sends its pending rows
after the restart.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)
DEFAULT_SECONDS = 5.0
# In-flight work gets the first 70 % of the deadline; closing the HTTP sessions and the database
# the next 15 %; the interpreter's own exit the rest (about a second on a loaded machine).
DRAIN_SHARE = 0.7
CLOSE_SHARE = 0.15
CANCEL_WAIT_SECONDS = 0.5  # for cancelled work to unwind (a task that ignores it is left)


class Shutdown:
    """One shutdown's deadline, counted from the first stop signal (or from `begin`)."""

    def __init__(self, seconds: float = DEFAULT_SECONDS, stop: asyncio.Event | None = None) -> None:
        self.seconds = seconds
        self.stop = stop if stop is not None else asyncio.Event()
        self.started: float | None = None
        self.cut: list[str] = []  # what was still running at the drain's deadline
        # Names of what is running now, for the line a forced exit leaves.
        self.running: Callable[[], list[str]] = list

    @property
    def drain_seconds(self) -> float:
        """How long in-flight work may take to finish before it is cut off."""
        return self.seconds * DRAIN_SHARE

    def begin(self, reason: str = "stop") -> None:
        """Start the clock (once) and set `stop`."""
        if self.started is None:
            self.started = time.monotonic()
            log.info(
                "runtime.shutdown_started",
                extra={"signal": reason, "deadline_seconds": self.seconds},
            )
        self.stop.set()

    def elapsed(self) -> float:
        """Seconds since the shutdown began (0 before)."""
        return 0.0 if self.started is None else time.monotonic() - self.started

    def drain_left(self) -> float:
        """Seconds left for in-flight work."""
        return max(self.drain_seconds - self.elapsed(), 0.0)

    def close_left(self) -> float:
        """Seconds left for closing what the runtime used (connections, the database)."""
        return max(self.seconds * (DRAIN_SHARE + CLOSE_SHARE) - self.elapsed(), 0.0)

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Take SIGINT and SIGTERM: the first begins the shutdown, a second exits at once."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.signalled, sig)

    def signalled(self, sig: signal.Signals) -> None:
        """A stop signal arrived."""
        if self.started is None:
            self.begin(sig.name)
            return
        # Someone does not want to wait: leave now. Only committed work was acknowledged.
        log.warning(
            "runtime.shutdown_forced",
            extra={
                "signal": sig.name,
                "seconds": round(self.elapsed(), 3),
                "still_running": ", ".join(self.running()) or "nothing",
            },
        )
        _flush_logs()
        os._exit(128 + sig.value)

    def finished(self) -> None:
        """Log the shutdown's one summary line: how long it took and what was cut off."""
        cut = ", ".join(self.cut)
        extra = {
            "seconds": round(self.elapsed(), 3),
            "deadline_seconds": self.seconds,
            "cut_off": cut or "nothing",
        }
        log.log(logging.WARNING if cut else logging.INFO, "runtime.shutdown_done", extra=extra)


async def drain(work: Mapping[str, asyncio.Task[Any]], seconds: float) -> list[str]:
    """Wait up to `seconds` for the tasks to end, then cancel the rest; returns their names."""
    running = [task for task in work.values() if not task.done()]
    if running and seconds > 0:
        await asyncio.wait(running, timeout=seconds)
    late = [name for name, task in work.items() if not task.done()]
    for name in late:
        work[name].cancel()
    if late:
        await asyncio.wait([work[name] for name in late], timeout=CANCEL_WAIT_SECONDS)
    return late


def _flush_logs() -> None:
    """os._exit skips Python's own flushing: the last lines must still reach the log."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
