"""`chatbot start`: run the bot on what is configured (the console chat when no messenger)."""

from __future__ import annotations

import argparse
import sys

from chatbot.commands import chat
from chatbot.config import Settings


def register(p: argparse.ArgumentParser) -> None:
    """Add the `start` arguments."""
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Choose the runtime from the settings."""
    settings = Settings()
    if not settings.messenger_configured:
        print(
            "no TELEGRAM_BOT_TOKEN or WHATSAPP_TOKEN set: starting the console chat",
            file=sys.stderr,
        )
        return chat.run(argparse.Namespace(chat_id="local", name="", no_color=False))
    from chatbot.commands import run as run_command  # aiogram: imported only when needed

    return run_command.run(args)
