"""Retries bounded in time: the backoff, the window, and a chat's queue behind a failing row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chatbot.core.clock import VirtualClock
from chatbot.db.tables import OutboxRow
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.ports.outbound import SendFailed
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Pipeline
from chatbot.service.retries import RetryPolicy
from tests.service.test_outbox import FlakySender

WRITTEN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_backoff_doubles_up_to_its_cap_with_jitter_in_the_upper_half() -> None:
    longest = RetryPolicy(max_backoff=60.0, jitter=lambda: 0.999999)
    shortest = RetryPolicy(max_backoff=60.0, jitter=lambda: 0.0)
    assert [round(longest.backoff(n)) for n in range(1, 9)] == [2, 4, 8, 16, 32, 60, 60, 60]
    assert [shortest.backoff(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_the_next_try_is_cut_at_the_deadline_and_none_after_it() -> None:
    policy = RetryPolicy(timedelta(minutes=10), max_backoff=60.0, jitter=lambda: 1.0)
    deadline = WRITTEN + timedelta(minutes=10)
    early = WRITTEN + timedelta(seconds=5)
    assert policy.next_try(3, WRITTEN, early, None) == early + timedelta(seconds=8)
    almost = deadline - timedelta(seconds=10)
    assert policy.next_try(9, WRITTEN, almost, None) == deadline  # the last try, right at it
    assert policy.next_try(9, WRITTEN, deadline, None) is None
    assert policy.next_try(1, WRITTEN, deadline + timedelta(hours=1), None) is None


def test_a_retry_after_is_waited_in_full_even_past_the_deadline() -> None:
    policy = RetryPolicy(timedelta(minutes=10), jitter=lambda: 1.0)
    almost = WRITTEN + timedelta(minutes=9, seconds=50)
    assert policy.next_try(1, WRITTEN, almost, 30.0) == almost + timedelta(seconds=30)
    assert policy.next_try(1, WRITTEN, WRITTEN + timedelta(minutes=10), 30.0) is None


async def _rows(pipeline: Pipeline) -> list[tuple[str, str, str | None]]:
    async with pipeline.db.transaction() as s:
        rows = (await s.execute(select(OutboxRow).where(OutboxRow.kind == "message"))).scalars()
        return [(r.chat_id, r.status, r.error) for r in rows]


async def test_a_backlog_left_while_the_sender_was_down_gets_its_full_window(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    clock.advance(timedelta(hours=2))  # the sender was not running meanwhile
    port = FlakySender([SendFailed("502 Bad Gateway")])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock, retries=RetryPolicy())
    assert await sender.deliver_pending() == 0
    assert await _rows(pipeline) == [("1", "pending", "502 Bad Gateway")]
    clock.advance(timedelta(seconds=2))  # the first backoff at most
    assert await sender.deliver_pending() == 1
    assert [m.chat_id for m in port.delivered] == ["1"]


async def test_a_row_still_failing_a_window_after_its_first_failure_fails_for_good(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    await pipeline.handle(Inbound("telegram", "2", IncomingText("Здравствуйте"), "b"))
    port = FlakySender([SendFailed("502 Bad Gateway"), SendFailed("502 Bad Gateway")])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock, only=("telegram", "1"))
    assert await sender.deliver_pending() == 0  # the first failure: the window starts
    clock.advance(timedelta(hours=1, seconds=1))
    assert await sender.deliver_pending() == 0
    [(status, error)] = [row[1:] for row in await _rows(pipeline) if row[0] == "1"]
    assert (status, error) == ("failed", "given up 3601 s after its first failure: 502 Bad Gateway")
    # An old row that goes through is still sent: the window bounds retries, not delivery.
    other = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await other.deliver_pending() == 1
    assert [m.chat_id for m in port.delivered] == ["2"]


async def test_rows_held_behind_a_retry_do_not_fill_the_claim(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    for n, body in enumerate(("Здравствуйте", "оплата")):
        await pipeline.handle(Inbound("telegram", "1", IncomingText(body), f"1-{n}"))
    await pipeline.handle(Inbound("telegram", "2", IncomingText("Здравствуйте"), "2-0"))
    port = FlakySender([SendFailed("502 Bad Gateway")])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await sender.deliver_pending(limit=1) == 0  # chat 1's menu fails: it waits
    # Chat 1's later rows are due but held: the claim passes over them to chat 2's menu.
    assert await sender.deliver_pending(limit=1) == 1
    assert [m.chat_id for m in port.delivered] == ["2"]
    clock.advance(timedelta(seconds=2))
    assert await sender.deliver_pending(limit=10) == 2
    assert [m.chat_id for m in port.delivered] == ["2", "1", "1"]
