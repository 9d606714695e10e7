"""report_facts: what a step did that the report counts, read from its effects and states."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chatbot.core.effects import (
    Alert,
    Close,
    ManagerDelivered,
    Reply,
    SetTimer,
    StageChanged,
    TimerDone,
)
from chatbot.core.state import DialogState
from chatbot.engine.flowset import FlowSet
from chatbot.engine.report_facts import ReportFact, report_facts

NOON = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))  # a Tuesday, shop open
STATE = DialogState(channel="whatsapp")


def test_closes_stages_templates_and_managers(flows: FlowSet) -> None:
    effects = [
        StageChanged("new", "thinking"),
        Reply("t", "k", template="follow_up_question"),
        ManagerDelivered("hi", "Ольга"),
        Close("no_reply"),
    ]
    assert report_facts(STATE, STATE, effects, flows, NOON) == [
        ReportFact("stage", "thinking"),
        ReportFact("template", "follow_up_question"),
        ReportFact("manager_message", manager="Ольга"),
        ReportFact("closed", "no_reply"),
    ]


def test_a_timer_message_is_a_nudge_or_an_order_reminder(flows: FlowSet) -> None:
    nudge = [TimerDone("nudge_1"), Reply("t", "nudge_1"), SetTimer("nudge_2", NOON, 2)]
    reminder = [TimerDone("pay_reminder_1"), Reply("t", "pay_reminder")]
    silent = [TimerDone("payment_overdue")]  # a task, no message
    assert report_facts(STATE, STATE, nudge, flows, NOON) == [ReportFact("nudge", "nudge_1")]
    assert report_facts(STATE, STATE, reminder, flows, NOON) == [
        ReportFact("reminder", "pay_reminder_1")
    ]
    assert report_facts(STATE, STATE, silent, flows, NOON) == []


def test_a_rating_is_counted_when_given(flows: FlowSet) -> None:
    asked = replace(STATE, stage="rating")
    rated = replace(STATE, stage="answered").with_vars(rating="10")
    assert report_facts(asked, rated, [], flows, NOON) == [ReportFact("rating", value=10.0)]
    # The same score kept from an earlier order is not a new answer.
    assert report_facts(rated, replace(rated, stage="manager"), [], flows, NOON) == []
    # A second order rated the same leaves the rating stage: a new answer.
    again = replace(rated, stage="rating")
    assert report_facts(again, rated, [], flows, NOON) == [ReportFact("rating", value=10.0)]


def test_an_alert_is_a_wait_breach_once_the_customer_waited_the_sla(flows: FlowSet) -> None:
    alert = [Alert("sla", "waits")]
    held = replace(STATE, paused=True, waiting_since=NOON - timedelta(minutes=10))
    began = "2026-03-03T08:50:00+00:00"
    assert report_facts(held, held, alert, flows, NOON) == [ReportFact("wait_breach", began)]
    # A second alert of the same wait has the same name: the report counts the spell once.
    later = NOON + timedelta(minutes=5)
    assert report_facts(held, held, alert, flows, later) == [ReportFact("wait_breach", began)]
    early = replace(held, waiting_since=NOON - timedelta(minutes=5))
    assert report_facts(early, early, alert, flows, NOON) == []
    assert report_facts(STATE, STATE, alert, flows, NOON) == []  # nobody holds the dialog
