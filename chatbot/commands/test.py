"""`chatbot test [SCRIPT|DIR]... [--flows DIR] [--json]`: run scripts and check their expectations.

Exit 0 when every script meets its `expect:`/`never:`/`counts:`/`report:`, 1 when any does not,
2 on a usage error (no scripts, an unreadable script, invalid flows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.config import Settings
from chatbot.core.trace import TraceEntry
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.errors import FlowError, ScriptError
from chatbot.service.app import load_admin_files
from chatbot.service.expectations import TEST_DAY, Unmet, check_shape, unmet
from chatbot.service.script import Script, load_script
from chatbot.service.simulator import simulate_with_report

CONTEXT = 3  # trace lines shown before and after the line an unmet expectation concerns

DESCRIPTION = f"""\
Run conversation scripts through the real pipeline (a throw-away SQLite database, a virtual
clock) and check what each expects of its trace: expect (in order), never, counts, report.
Without arguments it runs every *.yaml in the flows folder's tests/ (flows/tests/).

A script without `start:` begins on Monday {TEST_DAY.isoformat()} at 11:00 shop time, the day
the project's scenario tests use, not on the next Monday as `chatbot simulate` does: with
holidays and working hours a start that follows the calendar would make a script pass one week
and fail the next. The LLM is never asked, even when LLM_MODEL is set, so the result only
depends on the flows and the rules.

Exit status: 0 all passed, 1 an expectation is unmet, 2 a usage error."""


def register(p: argparse.ArgumentParser) -> None:
    """Add the `test` arguments."""
    p.description = DESCRIPTION
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="SCRIPT|DIR",
        help="script files, or folders whose *.yaml are run (default FLOWS/tests)",
    )
    p.add_argument("--flows", type=Path, default=None, help="flows folder (default FLOWS_DIR)")
    p.add_argument("--json", action="store_true", help="one JSON object per script")
    p.set_defaults(func=run)


@dataclass(frozen=True)
class Result:
    """One script's run: what it left unmet and its trace."""

    path: Path
    script: Script
    unmet: list[Unmet]
    trace: list[TraceEntry]


def run(args: argparse.Namespace) -> int:
    """Run the scripts, print a line per script and a summary."""
    # every script migrates a fresh database: four INFO lines each would bury the results
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings()
    flows_dir: Path = args.flows or settings.flows_dir
    prompts_dir = settings.prompts_dir if args.flows is None else flows_dir.parent / "prompts"
    try:
        paths = find_scripts(args.paths or [flows_dir / "tests"])
        scripts = [(path, _load(path)) for path in paths]
    except ScriptError as exc:
        print(f"chatbot test: {exc}", file=sys.stderr)
        return 2
    try:
        flows, rules = load_admin_files(flows_dir, prompts_dir)
    except FlowError as exc:
        print(f"chatbot test: the flows in {flows_dir} are invalid:\n{exc}", file=sys.stderr)
        return 2
    results = asyncio.run(_run_all(scripts, flows, rules))
    tz = ZoneInfo(flows.shop.timezone)
    for result in results:
        if args.json:
            print(json.dumps(_as_json(result), ensure_ascii=False))
        else:
            print("\n".join(render(result, tz)))
    failed = sum(1 for r in results if r.unmet)
    if not args.json:
        print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def find_scripts(paths: list[Path]) -> list[Path]:
    """The script files named, and every *.yaml in the folders named; ScriptError if none."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            in_dir = sorted(path.glob("*.yaml"))
            if not in_dir:
                raise ScriptError(f"no scripts (*.yaml) in {path}")
            found.extend(in_dir)
        elif path.is_file():
            found.append(path)
        else:
            raise ScriptError(f"no such script or folder: {path}")
    return found


def _load(path: Path) -> Script:
    script = load_script(path)
    check_shape(script, str(path))
    return script


async def _run_all(
    scripts: list[tuple[Path, Script]], flows: FlowSet, rules: RulesFn
) -> list[Result]:
    """Run the scripts in order on one event loop."""
    tz = ZoneInfo(flows.shop.timezone)
    results = []
    for path, script in scripts:
        trace, report = await simulate_with_report(script, flows, rules, TEST_DAY)
        results.append(Result(path, script, unmet(script, trace, report, tz), trace))
    return results


def render(result: Result, tz: ZoneInfo) -> list[str]:
    """A script's line; when it failed, each unmet expectation with the trace around it."""
    mark = "FAIL" if result.unmet else "ok  "
    out = [f"{mark} {result.path}  {result.script.name}"]
    for missing in result.unmet:
        out.append(f"     {missing.what}")
        if missing.line is None:
            continue
        first = max(0, missing.line - CONTEXT)
        for i in range(first, min(len(result.trace), missing.line + CONTEXT + 1)):
            pointer = ">" if i == missing.line else " "
            line = json.dumps(result.trace[i].to_json(tz), ensure_ascii=False)
            out.append(f"      {pointer}{i:3}  {line}")
    if result.unmet:
        out.append(f"     (the whole trace: chatbot simulate {result.path} --json)")
    return out


def _as_json(result: Result) -> dict[str, object]:
    return {
        "script": str(result.path),
        "name": result.script.name,
        "ok": not result.unmet,
        "unmet": [u.to_json() for u in result.unmet],
    }
