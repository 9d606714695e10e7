"""`chatbot export-messages`: customers' classified messages as JSONL, to relabel and score."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import SQLAlchemyError

from chatbot.admin_files.loader import load_flows
from chatbot.admin_files.rules_loader import load_rules
from chatbot.admin_files.rules_source import rules_dir
from chatbot.commands.days import missing_file, parse_day
from chatbot.config import Settings
from chatbot.db.classified import ClassifiedMessage, classified_messages, uncertain_first
from chatbot.db.database import Database
from chatbot.errors import FlowError, StorageError
from chatbot.intents.policy import LOW_CONFIDENCE

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

DESCRIPTION = f"""\
Write the customers' messages the bot classified, one JSON object a line: {{"text", "label"
(the intent the bot gave), "lang", "source" (rules, llm or default), "confidence"}}. Correct
the labels by hand, then score the rules on them with `chatbot eval-intents FILE`. Nothing
else of the customer is written: no names, phones, chat ids or times. A text repeated (case
and surrounding spaces aside) is written once, with its first label. Menu choices are left
out: their label comes from the menu the customer answered, not from reading the text.
Uncertain messages are those the LLM decided and those the rules were unsure of (confidence
below {LOW_CONFIDENCE} or `other`), as the bot asks the LLM about."""


def register(p: argparse.ArgumentParser) -> None:
    """Add the `export-messages` arguments."""
    p.description = DESCRIPTION
    p.add_argument(
        "--uncertain",
        action="store_true",
        help="uncertain messages first, lowest confidence first (default: in time order)",
    )
    p.add_argument(
        "--from",
        dest="first_day",
        metavar="DATE",
        help="from this day, YYYY-MM-DD; days are the shop's (shop.timezone in FLOWS_DIR)",
    )
    p.add_argument(
        "--to", dest="last_day", metavar="DATE", help="up to this day, included (YYYY-MM-DD)"
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default stdout)")
    p.add_argument("--replace", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export from DATABASE_URL; 2 for a bad date, 1 when it cannot read or write."""
    settings = Settings()
    try:
        first = parse_day(args.first_day, "--from")
        last = parse_day(args.last_day, "--to")
    except ValueError as exc:
        print(f"chatbot export-messages: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if first is not None and last is not None and first > last:
        print(f"chatbot export-messages: --from {first} is after --to {last}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.out is not None and args.out.exists() and not args.replace:
        print(
            f"chatbot export-messages: {args.out} exists; add --replace to overwrite it",
            file=sys.stderr,
        )
        return EXIT_FAILED
    tz = None
    if first is not None or last is not None:
        try:
            tz = _shop_zone(settings.flows_dir)
        except (FlowError, ZoneInfoNotFoundError) as exc:
            print(
                f"chatbot export-messages: --from and --to are days in the shop's time zone, which "
                f"the flows in {settings.flows_dir} do not give:\n{exc}",
                file=sys.stderr,
            )
            return EXIT_FAILED
    missing = missing_file(settings.database_url)
    if missing is not None:
        print(f"chatbot export-messages: no database at {missing} (DATABASE_URL)", file=sys.stderr)
        return EXIT_FAILED
    try:
        messages = asyncio.run(_read(settings, tz, first, last))
    except (StorageError, SQLAlchemyError) as exc:
        reason = str(exc).splitlines()[0]  # SQLAlchemy goes on with the whole statement
        print(f"chatbot export-messages: cannot read DATABASE_URL: {reason}", file=sys.stderr)
        return EXIT_FAILED
    if args.uncertain:
        messages = uncertain_first(messages)
    try:
        if args.out is None:
            _write(messages, sys.stdout)
        else:
            # "x" refuses a file that appeared since the check above
            with args.out.open("w" if args.replace else "x", encoding="utf-8") as handle:
                _write(messages, handle)
    except OSError as exc:
        print(f"chatbot export-messages: {exc}", file=sys.stderr)
        return EXIT_FAILED
    unsure = sum(m.uncertain for m in messages)
    where = args.out if args.out is not None else "stdout"
    print(f"exported {len(messages)} messages ({unsure} uncertain) to {where}", file=sys.stderr)
    return 0


def _shop_zone(flows_dir: Path) -> ZoneInfo:
    """The time zone of the shop's flows; FlowError when they are invalid."""
    # The flows may name intents that only the shop's rule files define.
    flows = load_flows(flows_dir, load_rules(rules_dir(flows_dir)).intent_names)
    return ZoneInfo(flows.shop.timezone)


async def _read(
    settings: Settings, tz: ZoneInfo | None, first: date | None, last: date | None
) -> list[ClassifiedMessage]:
    """The messages of DATABASE_URL from the first day's start to the last day's end."""
    since = datetime.combine(first, time(0), tzinfo=tz) if first is not None else None
    until = None
    if last is not None:
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    db = Database(settings.database_url)
    try:
        return await db.read(classified_messages, since, until)
    finally:
        await db.dispose()


def _write(messages: list[ClassifiedMessage], out: TextIO) -> None:
    for message in messages:
        out.write(json.dumps(message.to_json(), ensure_ascii=False) + "\n")
