"""The `chatbot` command: a thin dispatcher over the modules in `chatbot.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from chatbot.config import Settings
from chatbot.logs import configure

# Each module defines `register(subparsers)`, which adds its parser and sets `func`.
COMMAND_MODULES = (
    "chatbot.commands.start",
    "chatbot.commands.run",
    "chatbot.commands.chat",
    "chatbot.commands.simulate",
    "chatbot.commands.validate",
    "chatbot.commands.schema",
    "chatbot.commands.migrate",
    "chatbot.commands.eval_intents",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="chatbot",
        description="AI sales-chat assistant for messengers.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    configure(Settings().log_level)
    code: int = func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
