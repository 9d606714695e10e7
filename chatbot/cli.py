"""The `chatbot` command: a thin dispatcher over the modules in `chatbot.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from chatbot.config import Settings, settings_problems
from chatbot.logs import configure

# Each module defines `register(parser)`, which adds its arguments and sets `func`. Only the
# chosen command's module is imported: `run` pulls in aiogram, seconds of start-up that
# `chatbot validate` should not pay.
COMMANDS: dict[str, tuple[str, str]] = {
    "start": (
        "chatbot.commands.start",
        "start the bot: `run` with messenger tokens, the console chat without",
    ),
    "run": (
        "chatbot.commands.run",
        "serve Telegram, WhatsApp, /api/events, /healthz, /metrics and run timers",
    ),
    "chat": ("chatbot.commands.chat", "talk to the bot in the terminal as a customer"),
    "simulate": ("chatbot.commands.simulate", "replay a conversation script with a virtual clock"),
    "test": ("chatbot.commands.test", "run conversation scripts and check what they expect"),
    "validate": ("chatbot.commands.validate", "check flows, texts, intent rules and prompts"),
    "schema": ("chatbot.commands.schema", "print the JSON Schema of flow files"),
    "doctor": (
        "chatbot.commands.doctor",
        "check the settings against Telegram, WhatsApp, the LLM and the database",
    ),
    "migrate": ("chatbot.commands.migrate", "create or upgrade the database tables"),
    "backup": ("chatbot.commands.backup", "copy the SQLite database to a file, while it runs"),
    "eval-intents": ("chatbot.commands.eval_intents", "score the intent classifier on JSONL files"),
    "report": ("chatbot.commands.report", "what the bot and the managers did: figures, CSV, HTML"),
    "export-messages": (
        "chatbot.commands.export_messages",
        "write customers' classified messages as JSONL, to relabel and score",
    ),
}


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every sub-command listed, `chosen` (or all if None) registered."""
    parser = argparse.ArgumentParser(
        prog="chatbot",
        description="AI sales-chat assistant for messengers.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_)
        if chosen is None or name == chosen:
            importlib.import_module(module).register(sub)
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
    code: int = func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
