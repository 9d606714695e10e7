"""The console channel: the bot's messages and a dimmed trace in a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import tzinfo
from typing import Any

from chatbot.core.outbox_messages import CustomerMessage
from chatbot.core.trace import TraceEntry
from chatbot.ports.outbound import OutgoingMessage

DIM = "\x1b[2m"
RESET = "\x1b[0m"
CHANNEL = "console"


class ConsoleSender:
    """Prints the bot's messages (with numbered menu options) as the customer sees them."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    async def send(self, message: OutgoingMessage) -> None:
        """Show one message."""
        body = message.body
        if not isinstance(body, CustomerMessage):
            return  # the console shows the customer's side only
        self.write(f"{body.manager or 'bot'}> {body.text or ''}")
        for button in body.buttons:
            self.write(f"     [{button.label}]")


def describe(entry: TraceEntry, tz: tzinfo | None = None) -> str | None:
    """A short line for a trace entry (replies and manager texts are shown as messages)."""
    f: dict[str, Any] = entry.fields
    match entry.type:
        case "intent":
            return f"intent {f['intent']} ({f['source']}, {f['confidence']})"
        case "stage":
            return f"stage {f['from']} -> {f['to']}"
        case "timer_set":
            return f"timer {f['name']} due {f['due'].astimezone(tz):%d.%m %H:%M}"
        case "timer_cancelled" | "timer_fired":
            return f"{entry.type.replace('_', ' ')} {f['name']}"
        case "task":
            return f"task {f['kind']}: {f['reason']}"
        case "alert":
            return f"alert {f['kind']}: {f['reason']}"
        case "closed":
            return f"closed ({f['reason']})"
        case "flag":
            return f"flag {f['flag']}"
        case "skipped":
            return f"skipped {f['text']}: {f['reason']}"
        case "duplicate":
            return f"duplicate {f['id']}"
        case "handoff" | "bot_resumed" | "reopened":
            return entry.type.replace("_", " ")
    return None


def trace_lines(entries: Iterable[TraceEntry], color: bool, tz: tzinfo | None = None) -> list[str]:
    """Dimmed trace lines for the terminal."""
    out = []
    for entry in entries:
        text = describe(entry, tz)
        if text is not None:
            out.append(f"{DIM}   · {text}{RESET}" if color else f"   · {text}")
    return out
