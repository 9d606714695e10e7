"""Managers' events in the pipeline: an id makes them apply once; held dialogs are relayed."""

from __future__ import annotations

from sqlalchemy import select

from chatbot.core.clock import VirtualClock
from chatbot.core.events import ManagerAction, ManagerMessage, SpamCleared
from chatbot.core.intents import Classification, TextFeatures
from chatbot.db.database import Database
from chatbot.db.tables import MessageRow, OutboxRow, TaskRow
from chatbot.engine.flowset import FlowSet
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.pipeline import Pipeline


def text(body: str, mid: str) -> Inbound:
    return Inbound("telegram", "1", IncomingText(body), mid)


async def _outbox(pipeline: Pipeline) -> list[tuple[str, str]]:
    async with pipeline.db.snapshot() as s:
        rows = await s.execute(select(OutboxRow.kind, OutboxRow.channel).order_by(OutboxRow.id))
        return [(r[0], r[1]) for r in rows]


async def test_a_manager_action_with_an_id_applies_once(pipeline: Pipeline) -> None:
    await pipeline.handle(text("Позовите менеджера", "m-1"))  # keyword rules: human
    take = Inbound("telegram", "1", ManagerAction("take", "@olga"), "callback:q1")
    assert not (await pipeline.handle(take)).duplicate
    assert (await pipeline.handle(take)).duplicate
    async with pipeline.db.snapshot() as s:
        assert (await s.execute(select(TaskRow.status, TaskRow.manager))).one() == (
            "taken",
            "@olga",
        )
    assert [k for k, _ in await _outbox(pipeline)].count("card") == 1


async def test_customer_messages_in_a_held_dialog_are_relayed_to_managers(
    pipeline: Pipeline,
) -> None:
    await pipeline.handle(text("Позовите менеджера", "m-1"))
    assert ("relay", "managers") not in await _outbox(pipeline)  # the card shows this one
    await pipeline.handle(text("Нужны шары", "m-2"))
    assert (await _outbox(pipeline)).count(("relay", "managers")) == 1
    message = Inbound("telegram", "1", ManagerMessage("Здравствуйте!", "@olga"), "g:1")
    await pipeline.handle(message)
    await pipeline.handle(Inbound("telegram", "1", ManagerAction("done", "@olga"), "q2"))
    await pipeline.handle(text("Спасибо", "m-3"))  # the bot leads again: nothing relayed
    assert (await _outbox(pipeline)).count(("relay", "managers")) == 1


def _all_spam(text: str) -> Classification:
    return Classification("spam", 0.95, "rules", TextFeatures(words=len(text.split())))


async def test_a_spam_review_with_an_id_applies_once_and_is_recorded(
    db: Database, shipped_flows: FlowSet, clock: VirtualClock
) -> None:
    pipeline = Pipeline(db, shipped_flows, _all_spam, clock)
    closed = await pipeline.handle(text("Заработок от 100к в неделю", "m-1"))
    assert closed.state is not None
    assert closed.state.close_reason == "spam"
    clear = Inbound("telegram", "1", SpamCleared("@olga"), "callback:q1")
    first = await pipeline.handle(clear)
    assert [t.type for t in first.trace] == ["unflag"]
    assert (await pipeline.handle(clear)).duplicate  # Telegram delivered the press again
    async with db.snapshot() as s:
        manager = MessageRow.channel == "telegram:manager"
        notes = await s.execute(select(MessageRow.author, MessageRow.text).where(manager))
        assert [tuple(n) for n in notes] == [("@olga", "[spam_cleared]")]
