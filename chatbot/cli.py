"""The `chatbot` command: a thin dispatcher over the modules in `chatbot.commands`.

Every error line on stderr starts with `chatbot: ` (a setting or start-up problem: exit 2) or
`chatbot COMMAND: ` (that command's own problem), as argparse's usage errors do.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from pydantic import ValidationError

from chatbot.config import Settings, settings_problems
from chatbot.errors import ConfigError, StorageError
from chatbot.logs import configure


@dataclass(frozen=True, slots=True)
class Command:
    """A sub-command: the module that runs it, a one-line summary and an example."""

    module: str
    summary: str
    example: str


# Each module defines `register(parser)`, which adds its arguments and sets `func`. Only the
# chosen command's module is imported: `run` pulls in aiogram, seconds of start-up that
# `chatbot validate` should not pay.
COMMANDS: dict[str, Command] = {
    "start": Command(
        "chatbot.commands.start",
        "start the bot: `run` with messenger tokens, the console chat without",
        "chatbot start",
    ),
    "run": Command(
        "chatbot.commands.run",
        "serve Telegram, WhatsApp, /api/events, /healthz, /metrics and run timers",
        "TELEGRAM_BOT_TOKEN=123456:ABC chatbot run",
    ),
    "chat": Command(
        "chatbot.commands.chat",
        "talk to the bot in the terminal as a customer",
        "chatbot chat --name Anna",
    ),
    "simulate": Command(
        "chatbot.commands.simulate",
        "replay a conversation script with a virtual clock",
        "chatbot simulate flows/tests/01_greeting_gets_the_menu.yaml --json",
    ),
    "test": Command(
        "chatbot.commands.test",
        "run conversation scripts and check what they expect",
        "chatbot test flows/tests/",
    ),
    "validate": Command(
        "chatbot.commands.validate",
        "check flows, texts, intent rules and prompts",
        "chatbot validate --json",
    ),
    "schema": Command(
        "chatbot.commands.schema",
        "print the JSON Schema of flow files",
        "chatbot schema --output flows.schema.json",
    ),
    "migrate": Command(
        "chatbot.commands.migrate",
        "create or upgrade the database tables",
        "DATABASE_URL=postgresql+asyncpg://bot:secret@127.0.0.1/shop chatbot migrate",
    ),
    "backup": Command(
        "chatbot.commands.backup",
        "copy the SQLite database to a file, while it runs",
        "chatbot backup backups/2026-03-02.db",
    ),
    "eval-intents": Command(
        "chatbot.commands.eval_intents",
        "score the intent classifier on JSONL files",
        "chatbot eval-intents eval/blind-dev.jsonl --errors",
    ),
    "doctor": Command(
        "chatbot.commands.doctor",
        "check the settings against Telegram, WhatsApp, the LLM and the database",
        "chatbot doctor --json",
    ),
    "report": Command(
        "chatbot.commands.report",
        "what the bot and the managers did: figures, CSV, HTML",
        "chatbot report --from 2026-03-01 --to 2026-03-31 --html march.html",
    ),
    "export-messages": Command(
        "chatbot.commands.export_messages",
        "write customers' classified messages as JSONL, to relabel and score",
        "chatbot export-messages --uncertain --out to-label.jsonl",
    ),
}


def package_version() -> str:
    """The installed package's version, from its metadata."""
    try:
        return version("chatbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed: no package metadata; run `make install`)"


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every sub-command listed, `chosen` (or all if None) registered."""
    parser = argparse.ArgumentParser(
        prog="chatbot",
        description="AI sales-chat assistant for messengers.",
        epilog="Run `chatbot COMMAND --help` for a command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(
            name,
            help=command.summary,
            description=command.summary[0].upper() + command.summary[1:] + ".",
            epilog=f"example:\n  {command.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if chosen is None or name == chosen:
            importlib.import_module(command.module).register(sub)
    return parser


def _command_in(argv: Sequence[str]) -> str:
    """The sub-command named on the command line ("" when there is none yet)."""
    return next((a for a in argv if not a.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    chosen = _command_in(argv)
    parser = build_parser(chosen if chosen in COMMANDS else "")
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        settings = Settings()
    except ValidationError as exc:
        # A bad setting is the operator's to fix: say which and why, in one line each.
        for line in settings_problems(exc):
            print(f"chatbot: {line} (see .env.example)", file=sys.stderr)
        return 2
    configure(settings.log_level, settings.log_format)
    try:
        code: int = func(args)
    except (ConfigError, StorageError) as exc:
        # A setting that only shows its fault at start-up (an unreachable database, a missing
        # flows folder): one line with the fix, as for the settings above.
        print(f"chatbot: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
