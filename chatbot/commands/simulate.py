"""`chatbot simulate SCRIPT.yaml... [--flows DIR] [--json] [--db FILE]`: replay scripts.

With `--db` the conversations stay in that SQLite file, one dialog per script, for `chatbot
report` (DESIGN.md §3.2).

When `LLM_MODEL` is set the pipeline asks that model whenever the rules are unsure, as the
running bot does (DESIGN.md §3.2: the LLM only if one is configured).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.admin_files.snapshot import AdminFiles
from chatbot.channels.console import describe
from chatbot.config import Settings
from chatbot.core.clock import SystemClock
from chatbot.core.intents import INTENTS
from chatbot.core.trace import TraceEntry
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.errors import FlowError, ScriptError
from chatbot.llm.classifier import LlmClassifier
from chatbot.service.app import load_admin_snapshot
from chatbot.service.script import load_script
from chatbot.service.simulator import simulate, simulate_into


def register(p: argparse.ArgumentParser) -> None:
    """Add the `simulate` arguments."""
    p.add_argument("scripts", nargs="+", type=Path, metavar="SCRIPT.yaml")
    p.add_argument("--flows", type=Path, default=None, help="flows folder (default FLOWS_DIR)")
    p.add_argument("--json", action="store_true", help="one JSON object per trace line")
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="keep the conversations in this SQLite file (added to it if it exists)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run each script and print its trace."""
    settings = Settings()
    flows_dir = args.flows or settings.flows_dir
    # the prompts that are validated are the ones the LLM is given
    prompts_dir = settings.prompts_dir if args.flows is None else flows_dir.parent / "prompts"
    try:
        files = load_admin_snapshot(flows_dir, prompts_dir)
    except FlowError as exc:
        print(f"chatbot simulate: the flows in {flows_dir} are invalid:\n{exc}", file=sys.stderr)
        return 1
    return asyncio.run(_run_scripts(args, settings, files))


async def _run_scripts(args: argparse.Namespace, settings: Settings, files: AdminFiles) -> int:
    """Run the scripts in order on one event loop, sharing the LLM client when one is set."""
    flows, rules = files.flows, files.rules
    tz = ZoneInfo(flows.shop.timezone)
    llm, known = None, frozenset(INTENTS)
    if settings.llm_model:
        template = files.prompts.get("classify.md")
        llm = LlmClassifier.from_settings(settings, template=template, shop=flows.shop.name)
        known = files.intents
        print(
            f"simulate: the LLM {settings.llm_model} is asked when the rules are unsure",
            file=sys.stderr,
        )
    db = None
    try:
        scripts = []
        for path in args.scripts:  # every script is read before any runs: a typo costs nothing
            try:
                scripts.append(load_script(path))
            except ScriptError as exc:
                print(f"chatbot simulate: {exc}", file=sys.stderr)
                return 2
        if args.db is not None:
            db = Database(f"sqlite+aiosqlite:///{args.db}", synchronous="normal")  # made-up days
            await upgrade(db)
        for script in scripts:
            today = SystemClock().now().astimezone(tz).date()
            if db is None:
                trace = await simulate(script, flows, rules, today, llm, known)
            else:
                chat_id = f"sim-{uuid.uuid4().hex[:12]}"
                trace = await simulate_into(db, script, flows, rules, today, chat_id, llm, known)
            if args.json:
                for entry in trace:
                    print(json.dumps(entry.to_json(tz), ensure_ascii=False))
            else:
                print(f"# {script.name}")
                for entry in trace:
                    print(render_line(entry, tz))
    finally:
        if llm is not None:
            await llm.aclose()
        if db is not None:
            await db.dispose()
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
