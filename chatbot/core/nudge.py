"""What the LLM writer is given for one reply: the dialog's lines and the slots of nudge.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_LINE_CHARS = 500  # a long customer message is cut: the gist is enough for a reminder
NO_MESSAGES = "(no messages yet)"


@dataclass(frozen=True, slots=True)
class DialogLine:
    """One message of the dialog as the writer and the guard see it."""

    by_customer: bool
    text: str


@dataclass(frozen=True, slots=True)
class NudgeContext:
    """What the slots of nudge.md are filled with."""

    template: str
    dialog: tuple[DialogLine, ...] = ()
    lang: str = "ru"
    shop: str = ""
    max_chars: int = 300

    def slots(self) -> dict[str, str]:
        """The value of every slot of nudge.md."""
        return {
            "template": self.template,
            "dialog": format_dialog(self.dialog),
            "lang": self.lang,
            "shop": self.shop,
            "max_chars": str(self.max_chars),
        }


def format_dialog(lines: Sequence[DialogLine]) -> str:
    """One line per message, oldest first, each marked with who wrote it."""
    if not lines:
        return NO_MESSAGES
    return "\n".join(
        f"{'Customer' if d.by_customer else 'Shop'}: {_one_line(d.text)}" for d in lines
    )


def _one_line(text: str) -> str:
    # Newlines are folded so that a customer cannot start a line that looks like the shop's.
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_LINE_CHARS else flat[:MAX_LINE_CHARS] + "…"
