"""`unmet`: each kind of expectation, met and unmet, with the trace line it points at."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chatbot.core.trace import TraceEntry
from chatbot.errors import ScriptError
from chatbot.service.expectations import Unmet, unmet
from chatbot.service.script import parse_script
from chatbot.service.simulator import SimulationReport

TZ = ZoneInfo("Europe/Moscow")
START = datetime(2026, 3, 2, 11, 0, tzinfo=TZ)
TRACE = [
    TraceEntry(START, "inbound", {"text": "Позовите менеджера", "channel": "telegram"}),
    TraceEntry(START, "intent", {"intent": "human", "source": "rules", "confidence": 0.9}),
    TraceEntry(START, "task", {"kind": "human", "reason": "Клиент просит менеджера"}),
    TraceEntry(START, "handoff", {}),
    TraceEntry(START + timedelta(hours=25), "closed", {"reason": "no_reply"}),
]
REPORT = SimulationReport(tasks={"human": 1}, breaches={}, skipped=0)


def _unmet(**extra: Any) -> list[Unmet]:
    script = parse_script({"name": "t", "steps": [{"say": "hi"}], **extra})
    return unmet(script, TRACE, REPORT, TZ)


def test_everything_met_is_an_empty_list() -> None:
    assert _unmet(expect=[{"type": "task"}], never=[{"type": "reply"}]) == []


def test_expect_is_in_order_and_names_the_first_missing_line() -> None:
    assert _unmet(expect=[{"type": "intent"}, {"type": "handoff"}]) == []
    assert _unmet(expect=[{"type": "handoff"}, {"type": "intent"}, {"type": "closed"}]) == [
        Unmet("not seen in order: {type: intent}", 3)  # after the handoff, line 3
    ]
    assert _unmet(expect=[{"type": "reply"}]) == [Unmet("not seen in order: {type: reply}")]


def test_text_and_reason_match_a_part_other_fields_all_of_it() -> None:
    assert _unmet(expect=[{"type": "inbound", "text": "менеджера"}]) == []
    assert _unmet(expect=[{"type": "task", "reason": "просит"}]) == []
    assert _unmet(expect=[{"type": "task", "kind": "hum"}]) == [
        Unmet("not seen in order: {type: task, kind: hum}")
    ]


def test_at_matches_a_prefix() -> None:
    assert _unmet(expect=[{"type": "closed", "at": "2026-03-03T12:00"}]) == []
    assert _unmet(expect=[{"type": "closed", "at": "2026-03-03T11"}]) == [
        Unmet("not seen in order: {type: closed, at: 2026-03-03T11}")
    ]


def test_never_points_at_the_first_line_that_happened() -> None:
    assert _unmet(never=[{"type": "closed", "reason": "spam"}]) == []
    assert _unmet(never=[{"type": "task"}, {"type": "reply"}]) == [
        Unmet("must not happen: {type: task}", 2)
    ]


def test_counts() -> None:
    assert _unmet(counts=[{"match": {"type": "task"}, "n": 1}]) == []
    assert _unmet(counts=[{"match": {"type": "closed"}, "n": 0}]) == [
        Unmet("counts: 1 lines of {type: closed}, expected 0", 4)  # the first line too many
    ]
    assert _unmet(counts=[{"match": {"type": "reply"}, "n": 2}]) == [
        Unmet("counts: 0 lines of {type: reply}, expected 2")
    ]


def test_report_tasks_and_breaches() -> None:
    assert _unmet(report={"tasks": {"human": 1}, "breaches": {}}) == []
    assert _unmet(report={"tasks": {}, "breaches": {"anna": 1}}) == [
        Unmet("report: tasks {human: 1}, expected {}"),
        Unmet("report: breaches {}, expected {anna: 1}"),
    ]


def test_an_unknown_trace_type_is_unmet() -> None:
    script = parse_script({"name": "t", "steps": [{"say": "hi"}]})
    odd = [*TRACE, TraceEntry(START, "teleported", {})]
    assert unmet(script, odd, REPORT, TZ) == [Unmet("unknown trace type: teleported", 5)]


def test_a_malformed_expectation_is_a_script_error() -> None:
    with pytest.raises(ScriptError, match="never is a list"):
        _unmet(never={"type": "task"})
