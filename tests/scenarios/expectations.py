"""What a conversation script expects of its trace, checked the same way by every scenario test.

A script may carry, beside the §3.2 format, `expect:` (trace lines that must appear in this
order, matched on the fields given; `text`/`reason` match a part, `at` a prefix), `never:`
(trace lines that must not appear), `counts:` (how many lines match) and `report:` (tasks
by kind, SLA breaches by manager).
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from chatbot.service.script import Script
from chatbot.service.simulator import SimulationReport
from chatbot.service.trace import TRACE_TYPES, TraceEntry

PARTIAL_KEYS = ("text", "reason")


def matches(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Whether a trace line has every field given in `expected`."""
    for key, want in expected.items():
        if key not in actual:
            return False
        got = actual[key]
        if key == "at":
            if not str(got).startswith(str(want)):
                return False
        elif key in PARTIAL_KEYS and isinstance(want, str):
            if want not in str(got):
                return False
        elif got != want:
            return False
    return True


def assert_expectations(
    script: Script, trace: list[TraceEntry], report: SimulationReport, tz: ZoneInfo
) -> None:
    """Fail with the whole trace when the run does not meet the script's expectations."""
    lines = [entry.to_json(tz) for entry in trace]
    shown = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert {line["type"] for line in lines} <= set(TRACE_TYPES), shown
    pending = list(script.extra.get("expect", []))
    for line in lines:
        if pending and matches(pending[0], line):
            pending.pop(0)
    assert not pending, f"not seen in order: {pending[0]}\ntrace:\n{shown}"
    for forbidden in script.extra.get("never", []):
        hits = [line for line in lines if matches(forbidden, line)]
        assert not hits, f"must not happen: {forbidden}\ntrace:\n{shown}"
    for rule in script.extra.get("counts", []):
        hits = [line for line in lines if matches(rule["match"], line)]
        assert len(hits) == rule["n"], f"{rule}: {len(hits)} lines\ntrace:\n{shown}"
    want = script.extra.get("report", {})
    if "tasks" in want:
        assert report.tasks == want["tasks"], shown
    if "breaches" in want:
        assert report.breaches == want["breaches"], shown
