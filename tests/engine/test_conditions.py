"""Handler conditions one by one: what each new key reads and when it holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from chatbot.core.intents import Classification, TextFeatures
from chatbot.core.state import DialogState, Facts
from chatbot.engine.conditions import buying_signal, matches
from chatbot.engine.context import Context
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec_conditions import Condition
from chatbot.engine.step import calendar_of
from tests.engine.conftest import MSK

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=MSK)  # a Wednesday


def _ctx(flows: FlowSet, text: str = "", intent: str | None = "other", **feats: Any) -> Context:
    c = None if intent is None else Classification(intent, 0.9, "rules", TextFeatures(**feats))
    return Context(flows, calendar_of(flows), NOW, Facts(), classification=c, text=text)


def _holds(when: dict[str, Any], state: DialogState, ctx: Context) -> bool:
    return matches(Condition.model_validate(when), state, ctx)


@pytest.mark.parametrize(
    ("intent", "feats", "expected"),
    [
        ("agree", {"emojis": 6}, True),  # "хочу заказать 🎉🎈🎂🥳🎁🎊"
        ("ask_price", {"foreign_links": 1}, True),
        ("other", {"links": 1, "foreign_links": 1, "product_links": 1}, True),
        ("other", {"asks": True}, True),  # "есть шары с надписью?"
        ("other", {"asks": True, "links": 1, "foreign_links": 1}, False),  # "заработок? тут →"
        ("spam", {"asks": True}, False),
        ("other", {"emojis": 5}, False),
        ("greeting", {}, False),
    ],
)
def test_buying_signal(intent: str, feats: dict[str, Any], expected: bool) -> None:
    c = Classification(intent, 0.9, "rules", TextFeatures(**feats))
    assert buying_signal(c) is expected


def test_not_negates_any_condition(flows: FlowSet) -> None:
    state = DialogState(stage="rating")
    ctx = _ctx(flows)
    assert not _holds({"not": {"stage": "rating"}}, state, ctx)
    assert _holds({"not": {"stage": "thinking"}}, state, ctx)
    assert _holds({"not": {"any": [{"stage": "new"}, {"rated": "9-10"}]}}, state, ctx)


def test_rating_reads_the_message_and_rated_the_stored_score(flows: FlowSet) -> None:
    state = DialogState(vars={"rating": "10"})
    assert _holds({"rating": "0-8"}, state, _ctx(flows, "ставлю 7"))
    assert not _holds({"rating": "0-8"}, state, _ctx(flows, "шары сдулись"))
    assert _holds({"rated": "9-10"}, state, _ctx(flows))
    assert not _holds({"rated": "9-10"}, DialogState(), _ctx(flows))
    # a score only counts in a customer's message
    assert not _holds({"rating": "0-10"}, state, _ctx(flows, "7", intent=None))


def test_names_time(flows: FlowSet) -> None:
    assert _holds({"names_time": True}, DialogState(), _ctx(flows, "вернусь через неделю"))
    assert _holds({"names_time": False}, DialogState(), _ctx(flows, "я подумаю"))


def test_stage_for_counts_from_entering_the_stage(flows: FlowSet) -> None:
    ctx = _ctx(flows)
    day_ago = DialogState(stage="thinking", stage_since=NOW - timedelta(hours=25))
    hour_ago = DialogState(stage="thinking", stage_since=NOW - timedelta(hours=1))
    assert _holds({"stage_for": "1d"}, day_ago, ctx)
    assert not _holds({"stage_for": "1d"}, hour_ago, ctx)
    assert not _holds({"stage_for": "1d"}, DialogState(stage="thinking"), ctx)


def test_order_conditions_read_the_ledger(flows: FlowSet) -> None:
    ctx = _ctx(flows, intent=None)
    paid_first = DialogState(vars={"order_id": "A-1"}, orders={"A-1": frozenset({"paid"})})
    assert _holds({"order": ["paid"]}, paid_first, ctx)
    assert not _holds({"order_not": ["paid"]}, paid_first, ctx)
    assert _holds({"open_order": True}, paid_first, ctx)
    done = DialogState(orders={"A-1": frozenset({"created", "paid", "delivered"})})
    cancelled = DialogState(orders={"A-2": frozenset({"created", "cancelled"})})
    assert _holds({"open_order": False}, done, ctx)
    assert _holds({"open_order": False}, cancelled, ctx)


def test_asks_and_paused(flows: FlowSet) -> None:
    assert _holds({"asks": True}, DialogState(), _ctx(flows, asks=True))
    assert _holds({"asks": False}, DialogState(), _ctx(flows))
    assert _holds({"paused": True}, DialogState(paused=True), _ctx(flows))
    assert not _holds({"paused": True}, DialogState(), _ctx(flows))


def test_a_bad_range_is_refused_when_the_file_is_read() -> None:
    with pytest.raises(ValueError, match="bad number range"):
        Condition.model_validate({"rating": "ten"})
    with pytest.raises(ValueError, match="duration"):
        Condition.model_validate({"stage_for": "soon"})
