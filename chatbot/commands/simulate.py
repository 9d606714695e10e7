"""`chatbot simulate SCRIPT.yaml [--flows DIR] [--json]`: replay a conversation script."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.channels.console import describe
from chatbot.config import Settings
from chatbot.core.clock import SystemClock
from chatbot.errors import FlowError, ScriptError
from chatbot.service.app import load_admin_files
from chatbot.service.script import load_script
from chatbot.service.simulator import simulate
from chatbot.service.trace import TraceEntry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `simulate` parser."""
    p = subparsers.add_parser("simulate", help="replay a conversation script with a virtual clock")
    p.add_argument("scripts", nargs="+", type=Path, metavar="SCRIPT.yaml")
    p.add_argument("--flows", type=Path, default=None, help="flows folder (default FLOWS_DIR)")
    p.add_argument("--json", action="store_true", help="one JSON object per trace line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run each script and print its trace."""
    flows_dir = args.flows or Settings().flows_dir
    try:
        flows, rules = load_admin_files(flows_dir)
    except FlowError as exc:
        print(f"the flows in {flows_dir} are invalid:\n{exc}", file=sys.stderr)
        return 1
    tz = ZoneInfo(flows.shop.timezone)
    for path in args.scripts:
        try:
            script = load_script(path)
        except ScriptError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        today = SystemClock().now().astimezone(tz).date()
        trace = asyncio.run(simulate(script, flows, rules, today))
        if args.json:
            for entry in trace:
                print(json.dumps(entry.to_json(tz), ensure_ascii=False))
        else:
            print(f"# {script.name}")
            for entry in trace:
                print(render_line(entry, tz))
    return 0


def render_line(entry: TraceEntry, tz: ZoneInfo) -> str:
    """A human-readable trace line."""
    at = entry.at.astimezone(tz).strftime("%a %d.%m %H:%M")
    f = entry.fields
    if entry.type == "inbound":
        body = f"customer> {f['text']}"
    elif entry.type == "reply":
        buttons = "  ".join(f"[{b}]" for b in f["buttons"])
        template = f"  (template {f['template']})" if f["template"] else ""
        body = f"bot> {f['text']}{'  ' + buttons if buttons else ''}{template}"
    elif entry.type == "manager":
        body = f"manager> {f['text']}"
    else:
        body = f"   · {describe(entry, tz) or entry.type}"
    return f"{at}  {body}"
