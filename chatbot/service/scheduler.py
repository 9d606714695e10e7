"""The scheduler: claims due timer rows and feeds TimerFired events into the pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from chatbot.core.clock import VirtualClock
from chatbot.core.events import TimerFired
from chatbot.db import timers
from chatbot.ports.inbound import Inbound
from chatbot.service.pipeline import Outcome, Pipeline

log = logging.getLogger(__name__)


class Scheduler:
    """Fires due timers (of the chat `only` alone, if set); several may share one PostgreSQL."""

    def __init__(
        self,
        pipeline: Pipeline,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=2),
        only: tuple[str, str] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.batch = batch
        self.lease = lease
        self.only = only

    async def run_due(self, stop: asyncio.Event | None = None) -> list[Outcome]:
        """Claim the timers due now and fire them in due order; returns their outcomes.

        Once `stop` is set no further timer fires; the claims of those left are given back.
        """
        db = self.pipeline.db
        now = self.pipeline.clock.now()
        async with db.transaction() as session:
            due = await timers.claim_due(session, now, self.batch, self.lease, self.only)
        outcomes = []
        for index, timer in enumerate(due):
            if stop is not None and stop.is_set():
                # Given back, they fire at the next start rather than after the lease.
                await db.write(timers.release, due[index:])
                break
            inbound = Inbound(timer.channel, timer.chat_id, TimerFired(timer.name, timer.token))
            try:
                outcomes.append(await self.pipeline.handle(inbound))
            except Exception:
                # The row stays claimed until its lease ends, then it is retried.
                log.exception("scheduler.fire_failed", extra={"timer": timer.name})
        return outcomes

    async def next_due(self) -> datetime | None:
        """The earliest due time among unclaimed timers."""
        async with self.pipeline.db.transaction() as session:
            return await timers.next_due(session, self.pipeline.clock.now(), self.only)

    async def run_forever(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        """Fire due timers until `stop` is set, polling every `poll` seconds."""
        while not stop.is_set():
            try:
                fired = await self.run_due()
            except Exception:
                log.exception("scheduler.poll_failed")
                fired = []
            if len(fired) < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=poll)


_MAX_IDLE_ROUNDS = 3  # guards against a due timer that keeps failing


async def advance_clock(
    clock: VirtualClock, scheduler: Scheduler, delta: timedelta
) -> list[Outcome]:
    """Move a virtual clock forward, firing due timers in due order on the way."""
    target = clock.now() + delta
    outcomes: list[Outcome] = []
    idle = 0
    while idle < _MAX_IDLE_ROUNDS:
        due = await scheduler.next_due()
        if due is None or due > target:
            break
        clock.set(max(due, clock.now()))
        fired = await scheduler.run_due()
        outcomes.extend(fired)
        idle = 0 if fired else idle + 1
    clock.set(target)
    return outcomes
