"""The silence close never ends a dialog, or its order timers, while an order is open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatbot.core.effects import CancelTimer, Close, CreateTask, Reply, TimerDone
from chatbot.core.events import CrmEvent
from chatbot.engine.flowset import FlowSet
from tests.engine.driver import Driver, said

ORDER_TIMERS = frozenset(
    {
        "pay_reminder_1",
        "pay_reminder_2",
        "payment_overdue",
        "ready_reminder",
        "pickup_reminder",
        "pickup_overdue",
    }
)
# How far an order got before the dialog went quiet, each with the shop's events in order.
STORIES = {
    "created": ["order_created"],
    "created_with_link": ["order_created"],
    "ready_unpaid": ["order_created", "order_ready"],
    "paid": ["order_created", "order_paid"],
    "paid_ready": ["order_created", "order_paid", "order_ready"],
    "shipped_unpaid": ["order_created", "order_shipped"],
    "paid_shipped": ["order_created", "order_paid", "order_shipped"],
}


@pytest.mark.parametrize("story", sorted(STORIES))
@pytest.mark.parametrize("quiet_first", [0, 4, 6])
def test_an_open_order_keeps_the_dialog_and_its_timers(
    story: str, quiet_first: int, flows: FlowSet, dialog: Driver
) -> None:
    dialog.send(said("greeting", "здравствуйте"))
    dialog.wait(timedelta(days=quiet_first))
    data = {"order_id": "S-1", "amount": "2000"}
    if story == "created_with_link":
        data["pay_url"] = "https://pay.example/S-1"
    for event in STORIES[story]:
        dialog.send(CrmEvent(event, data))
    effects = dialog.wait(timedelta(days=40))
    assert not [e for e in effects if isinstance(e, Close)], story
    cancelled = {e.name for e in effects if isinstance(e, CancelTimer)}
    assert not cancelled & ORDER_TIMERS, story
    fired = {e.name for e in effects if isinstance(e, TimerDone)}
    if story not in ("paid", "paid_shipped"):  # paid and on its way: nothing to remind
        assert fired & ORDER_TIMERS, story  # the order's own timers ran to their end
    assert not dialog.state.closed


def test_the_dialog_closes_once_the_order_is_delivered(dialog: Driver) -> None:
    dialog.send(CrmEvent("order_created", {"order_id": "S-2", "amount": "900"}))
    dialog.wait(timedelta(days=20))
    dialog.send(CrmEvent("order_paid", {"order_id": "S-2"}))
    dialog.send(CrmEvent("order_delivered", {"order_id": "S-2"}))
    dialog.send(said("other", "10"))
    effects = dialog.wait(timedelta(days=8))
    assert Close("no_reply") in effects
    assert not [e for e in effects if isinstance(e, CreateTask)]  # a 10 needs no review


def test_a_thanks_close_keeps_the_payment_reminders(dialog: Driver) -> None:
    dialog.send(CrmEvent("order_created", {"order_id": "S-3", "amount": "500"}))
    dialog.send(said("thanks", "спасибо"))
    dialog.send(said("thanks", "ок"))
    assert dialog.state.closed
    effects = dialog.wait(timedelta(days=2))
    assert [e.key for e in effects if isinstance(e, Reply)] == ["pay_reminder"]
