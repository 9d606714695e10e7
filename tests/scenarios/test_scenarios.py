"""Every conversation script under tests/scenarios runs through the real pipeline.

What a script may expect of its trace is described in `chatbot/service/expectations.py`;
`chatbot test` checks it with the same code and the same start day.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.service.app import load_admin_files
from chatbot.service.expectations import TEST_DAY
from chatbot.service.script import load_script
from chatbot.service.simulator import simulate_with_report
from tests.conftest import ROOT
from tests.scenarios.expectations import assert_expectations

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    """The shipped flows and rules."""
    return load_admin_files(ROOT / "flows")


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario(path: Path, admin: tuple[FlowSet, RulesFn]) -> None:
    flows, rules = admin
    script = load_script(path)
    trace, report = await simulate_with_report(script, flows, rules, TEST_DAY)
    assert_expectations(script, trace, report, ZoneInfo(flows.shop.timezone))
