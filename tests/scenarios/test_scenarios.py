"""Every conversation script under tests/scenarios runs through the real pipeline.

A script may carry, beside the §3.2 format, `expect:` (trace lines that must appear in this
order, matched on the fields given; `text`/`reason` match a part, `at` a prefix), `never:`
(trace lines that must not appear), `counts:` (how many lines match) and `report:` (tasks
by kind, SLA breaches by manager).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chatbot.engine.flowset import FlowSet
from chatbot.intents.decision import RulesFn
from chatbot.service.app import load_admin_files
from chatbot.service.script import load_script
from chatbot.service.simulator import simulate_with_report
from chatbot.service.trace import TRACE_TYPES
from tests.conftest import ROOT

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))
PARTIAL_KEYS = ("text", "reason")


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    """The shipped flows and rules."""
    return load_admin_files(ROOT / "flows")


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


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario(path: Path, admin: tuple[FlowSet, RulesFn]) -> None:
    flows, rules = admin
    script = load_script(path)
    trace, report = await simulate_with_report(script, flows, rules, date(2026, 3, 2))
    tz = ZoneInfo(flows.shop.timezone)
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
