"""The shutdown's deadline: work that finishes in time is left alone, the rest is cancelled."""

from __future__ import annotations

import asyncio
import logging

import pytest

from chatbot.service.shutdown import Shutdown, drain


async def test_drain_cancels_only_what_is_still_running_at_the_deadline() -> None:
    quick = asyncio.create_task(asyncio.sleep(0))
    stuck = asyncio.create_task(asyncio.Event().wait())
    assert await drain({"quick": quick, "stuck": stuck}, 0.05) == ["stuck"]
    assert quick.done()
    assert not quick.cancelled()
    assert stuck.cancelled()


async def test_drain_waits_for_work_that_finishes_in_time() -> None:
    finishing = asyncio.create_task(asyncio.sleep(0.05))
    assert await drain({"finishing": finishing}, 30.0) == []
    assert finishing.done()
    assert not finishing.cancelled()


async def test_the_deadline_counts_from_the_first_begin_and_sets_stop() -> None:
    shutdown = Shutdown(5.0)
    assert shutdown.elapsed() == 0.0
    assert not shutdown.stop.is_set()
    shutdown.begin("SIGTERM")
    started = shutdown.started
    shutdown.begin("SIGTERM")  # a stop seen twice is still one shutdown
    assert shutdown.started == started
    assert shutdown.stop.is_set()
    assert 0 < shutdown.drain_left() <= shutdown.drain_seconds < shutdown.close_left() <= 5.0


def test_the_summary_line_says_what_was_cut_off(caplog: pytest.LogCaptureFixture) -> None:
    shutdown = Shutdown(5.0)
    shutdown.cut = ["outbox", "1 HTTP request(s), unanswered"]
    with caplog.at_level(logging.INFO):
        shutdown.finished()
    [record] = [r for r in caplog.records if r.msg == "runtime.shutdown_done"]
    assert record.levelno == logging.WARNING
    assert record.__dict__["cut_off"] == "outbox, 1 HTTP request(s), unanswered"
