"""The outbox sender: in-order delivery, bounded retries, retry_after, final failures."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from chatbot.core.clock import VirtualClock
from chatbot.db.tables import OutboxRow
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.ports.outbound import OutgoingMessage, SendFailed
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Pipeline
from chatbot.service.retries import RetryPolicy

STORM = 10  # 429 answers in a row: more failures than a count of attempts would allow


class FlakySender:
    """A channel port that fails a given number of times, then delivers."""

    def __init__(self, failures: list[SendFailed]) -> None:
        self.failures = failures
        self.delivered: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(message)


async def _statuses(pipeline: Pipeline) -> list[tuple[str, int]]:
    async with pipeline.db.transaction() as s:
        rows = (await s.execute(select(OutboxRow).where(OutboxRow.kind == "message"))).scalars()
        return [(r.status, r.attempts) for r in rows]


async def test_delivers_in_order_once(pipeline: Pipeline, clock: VirtualClock) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    await pipeline.handle(Inbound("telegram", "1", IncomingText("оплата"), "b"))
    port = FlakySender([])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await sender.deliver_pending() == 2
    assert await sender.deliver_pending() == 0
    assert [m.body.key for m in port.delivered] == ["menu_main", "handoff_question"]
    assert await _statuses(pipeline) == [("sent", 1), ("sent", 1)]


async def test_retry_after_is_honoured(pipeline: Pipeline, clock: VirtualClock) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    port = FlakySender([SendFailed("429 too many requests", retry_after=30)])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await sender.deliver_pending() == 0
    clock.advance(timedelta(seconds=10))
    assert await sender.deliver_pending() == 0  # still waiting for retry_after
    clock.advance(timedelta(seconds=21))
    assert await sender.deliver_pending() == 1
    assert await _statuses(pipeline) == [("sent", 1)]  # waiting was not a failed attempt


async def test_a_flood_control_storm_does_not_use_up_the_attempts(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    storm = [SendFailed("429", retry_after=1) for _ in range(STORM)]
    port = FlakySender(storm)
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    for _ in range(STORM + 1):
        await sender.deliver_pending()
        clock.advance(timedelta(seconds=1))
    assert len(port.delivered) == 1
    assert await _statuses(pipeline) == [("sent", 1)]


async def test_a_chat_s_later_rows_wait_for_an_earlier_one_being_retried(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    await pipeline.handle(Inbound("telegram", "1", IncomingText("оплата"), "b"))
    await pipeline.handle(Inbound("telegram", "2", IncomingText("Здравствуйте"), "c"))
    port = FlakySender([SendFailed("502 Bad Gateway")])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await sender.deliver_pending() == 1  # chat 2 goes; chat 1's answer waits for its menu
    assert await sender.deliver_pending() == 0
    clock.advance(timedelta(seconds=2))
    assert await sender.deliver_pending() == 2
    order = [(m.chat_id, m.body.key) for m in port.delivered]
    assert order == [("2", "menu_main"), ("1", "menu_main"), ("1", "handoff_question")]


async def test_final_failure_stops_retrying(pipeline: Pipeline, clock: VirtualClock) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    port = FlakySender([SendFailed("403 blocked", final=True)])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    await sender.deliver_pending()
    clock.advance(timedelta(hours=1))
    await sender.deliver_pending()
    assert port.delivered == []
    assert await _statuses(pipeline) == [("failed", 1)]


async def test_a_message_that_may_not_be_sent_is_recorded_as_skipped(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("whatsapp", "1", IncomingText("Здравствуйте"), "a"))
    reason = "code 131047 (outside the 24h window) and the text has no template: not sent"
    port = FlakySender([SendFailed(reason, skipped=True)])
    seen: list[tuple[str, str]] = []

    def skipped(message: OutgoingMessage, why: str) -> None:
        seen.append((str(message.body.key), why))

    sender = OutboxSender(pipeline.db, {"whatsapp": port}, clock, on_skipped=skipped)
    await sender.deliver_pending()
    clock.advance(timedelta(hours=1))
    await sender.deliver_pending()
    assert port.delivered == []
    assert await _statuses(pipeline) == [("skipped", 1)]
    assert seen == [("menu_main", reason)]
    async with pipeline.db.transaction() as s:
        assert await s.scalar(select(OutboxRow.error)) == reason  # what a report reads


async def test_retries_are_bounded_in_time_not_attempts(
    pipeline: Pipeline, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    port = FlakySender([SendFailed("500") for _ in range(100)])
    retries = RetryPolicy(timedelta(minutes=10), max_backoff=30.0, jitter=lambda: 1.0)
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock, retries=retries)
    for _ in range(20):  # a try every 30 s for the window's 10 minutes
        await sender.deliver_pending()
        clock.advance(timedelta(seconds=30))
    assert await _statuses(pipeline) == [("pending", 20)]
    await sender.deliver_pending()  # the last try, at the window's end, fails too
    assert await _statuses(pipeline) == [("failed", 21)]
    assert "outbox.gave_up" in caplog.messages
    async with pipeline.db.transaction() as s:
        assert (await s.scalar(select(OutboxRow.error)) or "").startswith("given up 600 s after")
    clock.advance(timedelta(hours=1))
    await sender.deliver_pending()
    assert port.delivered == []


async def test_a_blocked_customer_is_reported_once(pipeline: Pipeline, clock: VirtualClock) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    reported: list[tuple[str, str]] = []

    async def on_blocked(channel: str, chat_id: str) -> None:
        reported.append((channel, chat_id))

    port = FlakySender([SendFailed("403 Forbidden: bot was blocked by the user", blocked=True)])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock, on_blocked)
    await sender.deliver_pending()
    clock.advance(timedelta(hours=1))
    await sender.deliver_pending()
    assert reported == [("telegram", "1")]
    assert await _statuses(pipeline) == [("failed", 1)]


class UpperComposer:
    """A composer that rewrites the main menu in capitals and remembers what it composed."""

    def __init__(self, per_round: int) -> None:
        self.per_round = per_round
        self.composed: list[str] = []

    def wants(self, message: OutgoingMessage) -> bool:
        return message.body.key == "menu_main"

    async def compose(
        self, row_id: int, dialog_id: int, message: OutgoingMessage
    ) -> OutgoingMessage:
        self.composed.append(message.chat_id)
        text = str(message.body.text).upper()
        return replace(message, body=replace(message.body, text=text, key="composed"))


async def test_composing_is_bounded_per_round_and_keeps_each_chats_order(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    for chat, body in (
        ("a", "Здравствуйте"),
        ("b", "Здравствуйте"),
        ("b", "оплата"),
        ("c", "позовите менеджера"),
    ):
        await pipeline.handle(Inbound("telegram", chat, IncomingText(body), f"{chat}-{body}"))
    port = FlakySender([])
    composer = UpperComposer(per_round=1)
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock, composer=composer)
    assert await sender.deliver_pending() == 2  # a's menu (composed) and c's reply
    assert [m.chat_id for m in port.delivered] == ["a", "c"]
    assert port.delivered[0].body.text.startswith("ЗДРАВСТВУЙТЕ")
    assert await sender.deliver_pending() == 2  # b's menu in its turn, then b's next reply
    assert [(m.chat_id, m.body.key) for m in port.delivered[2:]] == [
        ("b", "composed"),
        ("b", "handoff_question"),
    ]
    assert composer.composed == ["a", "b"]


class BrokenComposer(UpperComposer):
    """A composer whose every attempt fails."""

    async def compose(
        self, row_id: int, dialog_id: int, message: OutgoingMessage
    ) -> OutgoingMessage:
        raise RuntimeError("the composer's database is gone")


async def test_a_failing_composer_lets_the_row_go_as_written(
    pipeline: Pipeline, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await pipeline.handle(Inbound("telegram", "a", IncomingText("Здравствуйте"), "a-1"))
    port = FlakySender([])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock, composer=BrokenComposer(4))
    assert await sender.deliver_pending() == 1
    assert port.delivered[0].body.key == "menu_main"
    assert "outbox.compose_failed" in caplog.messages


class OneSlowChat:
    """Chat 1's send answers only after chat 2's message went out."""

    def __init__(self) -> None:
        self.other_sent = asyncio.Event()
        self.delivered: list[str] = []

    async def send(self, message: OutgoingMessage) -> None:
        if message.chat_id == "1":
            async with asyncio.timeout(10):  # a serial sender would wait here for nothing
                await self.other_sent.wait()
        else:
            self.other_sent.set()
        self.delivered.append(message.chat_id)


async def test_a_slow_chat_does_not_hold_the_others(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    await pipeline.handle(Inbound("telegram", "2", IncomingText("Здравствуйте"), "b"))
    port = OneSlowChat()
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await sender.deliver_pending() == 2
    assert port.delivered == ["2", "1"]


class HeldSender:
    """A channel port whose first send waits until released."""

    def __init__(self) -> None:
        self.in_flight = asyncio.Event()
        self.release = asyncio.Event()
        self.delivered: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> None:
        if not self.delivered:
            self.in_flight.set()
            await self.release.wait()
        self.delivered.append(message)


async def test_a_stopped_sender_finishes_its_send_in_flight_and_starts_no_other(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    await pipeline.handle(Inbound("telegram", "1", IncomingText("оплата"), "b"))
    port = HeldSender()
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    delivering = asyncio.create_task(sender.deliver_pending())
    await port.in_flight.wait()
    sender.stop()  # shutting down while the menu is on its way
    port.release.set()
    assert await delivering == 1
    assert await _statuses(pipeline) == [("sent", 1), ("pending", 0)]
    restarted = OutboxSender(pipeline.db, {"telegram": port}, clock)
    assert await restarted.deliver_pending() == 1
    assert [m.body.key for m in port.delivered] == ["menu_main", "handoff_question"]


class SlowSender:
    """A channel port that takes a moment per message and records what it sent."""

    def __init__(self, log: list[OutgoingMessage]) -> None:
        self.delivered: list[OutgoingMessage] = []
        self.log = log  # shared by every instance: the order the customers saw

    async def send(self, message: OutgoingMessage) -> None:
        await asyncio.sleep(0.005)
        self.delivered.append(message)
        self.log.append(message)


async def test_a_chat_waits_for_its_older_pending_message(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    await pipeline.handle(Inbound("telegram", "1", IncomingText("Здравствуйте"), "a"))
    await pipeline.handle(Inbound("telegram", "1", IncomingText("оплата"), "b"))
    await pipeline.handle(Inbound("telegram", "2", IncomingText("Здравствуйте"), "c"))
    port = FlakySender([SendFailed("429 too many requests", retry_after=30)])
    sender = OutboxSender(pipeline.db, {"telegram": port}, clock)
    await sender.deliver_pending()
    # chat 1's menu waits for its retry, so its second message waits too; chat 2 is not held
    assert [(m.chat_id, m.body.key) for m in port.delivered] == [("2", "menu_main")]
    clock.advance(timedelta(seconds=31))
    await sender.deliver_pending()
    assert [(m.chat_id, m.body.key) for m in port.delivered[1:]] == [
        ("1", "menu_main"),
        ("1", "handoff_question"),
    ]


async def test_two_instances_send_every_row_once_and_each_chat_in_order(
    pipeline: Pipeline, clock: VirtualClock
) -> None:
    if pipeline.db.is_sqlite:
        pytest.skip("SQLite runs one instance by design, so one outbox sender")
    for chat in range(12):
        await pipeline.handle(
            Inbound("telegram", str(chat), IncomingText("Здравствуйте"), f"{chat}a")
        )
        await pipeline.handle(Inbound("telegram", str(chat), IncomingText("оплата"), f"{chat}b"))
    seen: list[OutgoingMessage] = []
    ports = [SlowSender(seen), SlowSender(seen)]
    senders = [OutboxSender(pipeline.db, {"telegram": p}, clock) for p in ports]
    for _ in range(4):  # rounds: a chat's second row goes once its first one is sent
        await asyncio.gather(*(s.deliver_pending(limit=5) for s in senders))
    keys = [m.idempotency_key for m in seen]
    assert len(keys) == len(set(keys)) == 24  # every row once
    assert all(p.delivered for p in ports)  # both instances took a share
    for chat in range(12):
        in_order = [m.body.key for m in seen if m.chat_id == str(chat)]
        assert in_order == ["menu_main", "handoff_question"]
    assert await _statuses(pipeline) == [("sent", 1)] * 24
