"""A customer who asked not to be written to gets no proactive message from any shipped timer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatbot.core.effects import Reply, SkippedReply
from chatbot.core.events import CRM_EVENTS, CrmEvent, TimerFired
from chatbot.core.state import DialogState, TimerState
from chatbot.engine.flowset import FlowSet
from tests.engine.conftest import FLOWS
from tests.engine.driver import Driver, said

ORDER = {"order_id": "D-1", "amount": "1200", "pay_url": "https://pay.example/D-1"}


def _timer_names() -> list[str]:
    from chatbot.admin_files.loader import load_flows

    return sorted(load_flows(FLOWS).timers)


def _flagged(channel: str, stage: str, timer: str, dialog: Driver) -> DialogState:
    return DialogState(
        channel=channel,
        stage=stage,
        flags=frozenset({"do_not_write"}),
        vars=dict(ORDER),
        timers={timer: TimerState(7, dialog.now + timedelta(minutes=1))},
        last_inbound_at=dialog.now,
        seq=7,
    )


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
@pytest.mark.parametrize("timer", _timer_names())
def test_no_timer_writes_to_a_flagged_customer(
    timer: str, channel: str, flows: FlowSet, dialog: Driver
) -> None:
    # Each timer fires in every stage it could meet, and whatever it starts fires too.
    for stage in flows.stages:
        dialog.state = _flagged(channel, stage, timer, dialog)
        dialog.log.clear()
        dialog.wait(timedelta(days=90))
        fired = [e for _, e in dialog.log]
        assert not [e for e in fired if isinstance(e, Reply)], (timer, stage, fired)


def test_the_walk_fires_what_it_claims(flows: FlowSet, dialog: Driver) -> None:
    # The check above would pass vacuously if the timers never fired: show that they do.
    dialog.state = _flagged("telegram", "thinking", "nudge_1", dialog)
    effects = dialog.wait(timedelta(days=5))
    assert SkippedReply("nudge_1", "the customer must not be written to") in effects
    assert SkippedReply("nudge_2", "the customer must not be written to") in effects
    dialog.state = _flagged("telegram", "new", "nudge_1", dialog)
    effects = dialog.send(TimerFired("nudge_1", 7))
    assert [e for e in effects if isinstance(e, SkippedReply)]


@pytest.mark.parametrize("event", CRM_EVENTS)
def test_no_shop_event_writes_to_a_flagged_customer(event: str, dialog: Driver) -> None:
    dialog.send(said("unsubscribe", "не пишите мне больше"))
    dialog.send(CrmEvent(event, dict(ORDER)))
    dialog.wait(timedelta(days=90))
    replies = [e.key for _, e in dialog.log if isinstance(e, Reply)]
    assert replies == ["unsubscribe_ack"]


def test_an_unsubscribed_customer_still_gets_answers(dialog: Driver) -> None:
    dialog.send(said("unsubscribe", "не пишите мне больше"))
    effects = dialog.send(said("ask_delivery", "а доставка в субботу есть?"))
    assert [e.key for e in effects if isinstance(e, Reply)] == ["handoff_question"]
    assert "do_not_write" in dialog.state.flags
