"""`chatbot report [--from DATE] [--to DATE] [--html FILE] [--json] [--csv DIR]` (§3.5)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from chatbot.commands.days import missing_file, parse_day
from chatbot.config import Settings
from chatbot.db.database import Database
from chatbot.engine.flowset import FlowSet
from chatbot.errors import FlowError, StorageError
from chatbot.service.app import load_admin_files
from chatbot.service.report import Report, build_report, period_days
from chatbot.service.report_html import render_html
from chatbot.service.report_tables import summary_rows, write_csv

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
DESCRIPTION = """\
What the bot and the managers did with the dialogs started in a period (default: the last 7
days, in the shop's time zone): new dialogs and spam, closes by reason, first answers, each
manager's answers and SLA breaches, the funnel to paid orders, nudges, payment reminders,
ratings, WhatsApp templates and the LLM. Reads DATABASE_URL."""


def register(p: argparse.ArgumentParser) -> None:
    """Add the `report` arguments."""
    p.description = DESCRIPTION
    p.add_argument("--from", dest="first_day", metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last_day", metavar="DATE", help="last day, included")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--csv", type=Path, metavar="DIR", help="write one CSV file per table")
    p.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="write one self-contained page (charts inline, opens offline)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Report from DATABASE_URL; 2 for a bad date, 1 when it cannot read or write."""
    settings = Settings()
    try:
        first = parse_day(args.first_day, "--from")
        last = parse_day(args.last_day, "--to")
        flows, _ = load_admin_files(settings.flows_dir, settings.prompts_dir)
    except ValueError as exc:
        print(f"chatbot report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FlowError as exc:
        print(
            f"chatbot report: the flows in {settings.flows_dir} are invalid:\n{exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    tz = ZoneInfo(flows.shop.timezone)
    try:
        first, last = period_days(first, last, datetime.now(tz).date())
    except ValueError as exc:
        print(f"chatbot report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    missing = missing_file(settings.database_url)
    if missing is not None:
        print(f"chatbot report: no database at {missing} (DATABASE_URL)", file=sys.stderr)
        return EXIT_FAILED
    try:
        report = asyncio.run(_read(settings.database_url, first, last, tz))
    except (StorageError, SQLAlchemyError) as exc:
        reason = str(exc).splitlines()[0]
        print(
            f"chatbot report: cannot read DATABASE_URL ({reason}); is it migrated? "
            "Run `chatbot migrate`",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return _write(args, report, flows, tz)


async def _read(url: str, first: date, last: date, tz: ZoneInfo) -> Report:
    db = Database(url)
    try:
        return await build_report(db, first, last, tz)
    finally:
        await db.dispose()


def _write(args: argparse.Namespace, report: Report, flows: FlowSet, tz: ZoneInfo) -> int:
    try:
        if args.csv is not None:
            for path in write_csv(report, args.csv, tz):
                print(f"report: wrote {path}", file=sys.stderr)
        if args.html is not None:
            page = render_html(
                report, flows.shop.name, flows.shop.default_lang, tz, datetime.now(tz)
            )
            args.html.write_text(page, encoding="utf-8")
            print(f"report: wrote {args.html}", file=sys.stderr)
    except OSError as exc:
        print(f"chatbot report: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report.figures, ensure_ascii=False))
    elif args.csv is None and args.html is None:
        print(f"{flows.shop.name}: {report.first} .. {report.last}")
        for key, value in summary_rows(report.figures):
            if key not in ("period.from", "period.to"):
                print(f"  {key:<34} {'-' if value is None else value}")
        for m in report.figures["managers"]:
            print(
                f"  manager {m['name']}: {m['dialogs']} dialogs, {m['messages']} messages, "
                f"{m['response_avg_min']} min on average, {m['breaches']} breaches"
            )
    return 0
