"""What a conversation script expects of its trace (DESIGN.md §3.2), checked without asserting.

A script may carry, beside its steps, `expect:` (trace lines that must appear in this order,
matched on the fields given; `text`/`reason` match a part, `at` a prefix), `never:` (trace
lines that must not appear), `counts:` (a list of `{match: {...}, n: N}`: how many lines match)
and `report:` (`tasks` by kind, `breaches` by manager, as the run left them in the database).
`chatbot test` and the project's scenario tests both use `unmet`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from chatbot.core.trace import TRACE_TYPES, TraceEntry
from chatbot.errors import ScriptError
from chatbot.service.script import Script
from chatbot.service.simulator import SimulationReport

PARTIAL_KEYS = ("text", "reason")
# Scripts without `start:` begin on this Monday: with the shop's holidays and working hours a
# start that follows the calendar would let the same script pass one week and fail the next.
TEST_DAY = date(2026, 3, 2)


@dataclass(frozen=True, slots=True)
class Unmet:
    """One unmet expectation: what was wanted, and the trace line it concerns (0-based)."""

    what: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object `chatbot test --json` prints for it."""
        return {"what": self.what, "line": self.line}


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


def show(value: Any) -> str:
    """A pattern as the script spells it: YAML flow style, on one line."""
    text: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    )
    return text.strip().removesuffix("...").strip()


def check_shape(script: Script, origin: str = "script") -> None:
    """Raise ScriptError when `expect`/`never`/`counts`/`report` are not in the §3.2 shape."""
    extra = script.extra
    for key in ("expect", "never"):
        items = extra.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ScriptError(f"{origin}: {key} is a list of trace lines, e.g. - {{type: handoff}}")
    counts = extra.get("counts", [])
    if not isinstance(counts, list) or not all(
        isinstance(c, dict) and isinstance(c.get("match"), dict) and isinstance(c.get("n"), int)
        for c in counts
    ):
        raise ScriptError(f"{origin}: counts is a list like - {{match: {{type: reply}}, n: 1}}")
    report = extra.get("report", {})
    if not isinstance(report, dict) or not set(report) <= {"tasks", "breaches"}:
        raise ScriptError(f"{origin}: report has tasks or breaches, e.g. {{tasks: {{lead: 1}}}}")


def unmet(
    script: Script, trace: list[TraceEntry], report: SimulationReport, tz: ZoneInfo
) -> list[Unmet]:
    """The script's expectations that this run does not meet (empty when all are met)."""
    check_shape(script, script.name)
    lines = [entry.to_json(tz) for entry in trace]
    found: list[Unmet] = []
    for i, line in enumerate(lines):
        if line["type"] not in TRACE_TYPES:
            found.append(Unmet(f"unknown trace type: {line['type']}", i))
    found.extend(_in_order(script.extra.get("expect", []), lines))
    for forbidden in script.extra.get("never", []):
        hits = [i for i, line in enumerate(lines) if matches(forbidden, line)]
        if hits:
            found.append(Unmet(f"must not happen: {show(forbidden)}", hits[0]))
    for rule in script.extra.get("counts", []):
        hits = [i for i, line in enumerate(lines) if matches(rule["match"], line)]
        if len(hits) != rule["n"]:
            # too many: point at the first extra line; too few: no line to point at
            at = hits[rule["n"]] if len(hits) > rule["n"] else None
            what = f"counts: {len(hits)} lines of {show(rule['match'])}, expected {rule['n']}"
            found.append(Unmet(what, at))
    want = script.extra.get("report", {})
    got = {"tasks": report.tasks, "breaches": report.breaches}
    for key in ("tasks", "breaches"):
        if key in want and got[key] != want[key]:
            found.append(Unmet(f"report: {key} {show(got[key])}, expected {show(want[key])}"))
    return found


def _in_order(expected: list[dict[str, Any]], lines: list[dict[str, Any]]) -> list[Unmet]:
    """The first expected line not seen in order, pointing at the last line that matched."""
    pending = list(expected)
    last: int | None = None
    for i, line in enumerate(lines):
        if pending and matches(pending[0], line):
            pending.pop(0)
            last = i
    if not pending:
        return []
    return [Unmet(f"not seen in order: {show(pending[0])}", last)]
