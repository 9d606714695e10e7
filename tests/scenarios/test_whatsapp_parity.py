"""No reply goes silently missing on WhatsApp: each is sent (text or template) or `skipped`.

Every scenario is run as a Telegram dialog and as a WhatsApp one. Telegram has no window, so
each message the bot means to write there must appear on WhatsApp too, as a reply or as a
`skipped` line with its reason.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chatbot.core.trace import TraceEntry
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.service.app import load_admin_files
from chatbot.service.expectations import TEST_DAY
from chatbot.service.script import load_script
from chatbot.service.simulator import simulate_with_report
from tests.conftest import ROOT

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    """The shipped flows and rules."""
    return load_admin_files(ROOT / "flows")


def _meant(trace: list[TraceEntry]) -> list[str]:
    """One line per message the bot meant to write: `reply` when sent, `skipped` when not."""
    return [e.type for e in trace if e.type in ("reply", "skipped")]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_every_reply_is_sent_or_skipped_on_whatsapp(
    path: Path, admin: tuple[FlowSet, RulesFn]
) -> None:
    flows, rules = admin
    script = load_script(path)
    telegram, _ = await simulate_with_report(
        replace(script, channel="telegram"), flows, rules, TEST_DAY
    )
    whatsapp, _ = await simulate_with_report(
        replace(script, channel="whatsapp"), flows, rules, TEST_DAY
    )
    assert len(_meant(whatsapp)) == len(_meant(telegram))
    for entry in whatsapp:
        if entry.type == "skipped":
            assert entry.fields["reason"], entry
