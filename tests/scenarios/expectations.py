"""The scenario tests' assertion over `chatbot.service.expectations`, the code `chatbot test` runs.

What a script may expect of its trace is described in `chatbot/service/expectations.py`.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from chatbot.core.trace import TraceEntry
from chatbot.service.expectations import unmet
from chatbot.service.script import Script
from chatbot.service.simulator import SimulationReport


def assert_expectations(
    script: Script, trace: list[TraceEntry], report: SimulationReport, tz: ZoneInfo
) -> None:
    """Fail with the unmet expectations and the whole trace when the run does not meet them."""
    missing = unmet(script, trace, report, tz)
    shown = "\n".join(
        f"{i:3}  {json.dumps(entry.to_json(tz), ensure_ascii=False)}"
        for i, entry in enumerate(trace)
    )
    wanted = "\n".join(f"{u.what} (line {u.line})" for u in missing)
    assert not missing, f"{wanted}\ntrace:\n{shown}"
