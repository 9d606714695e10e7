"""/spam in the managers' chat: the period asked for, the list and its buttons (pure).

Each listed dialog gets its own full-width button, numbered like its line: on a phone a tap
under the list is easier than typing "/unspam 3", and the number ties the button to its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from html import escape
from typing import Final

from chatbot.db.spam_closes import SpamClose
from chatbot.engine.manager_wording import Wording
from chatbot.managers.card import CHANNELS, PREFIX, CardButton
from chatbot.managers.commands import start_of_day

ACTION: Final = "unspam"
MAX_LISTED: Final = 20  # newest first; the buttons under one message stay easy to find
MAX_DAYS: Final = 90
MAX_NAME: Final = 40
MAX_TEXT: Final = 60
# Telegram takes 4096 characters after parsing the HTML; the HTML itself is counted here.
MAX_CHARS: Final = 3900
# The words /spam takes besides a number of days (managers may type either language).
PERIODS: Final = {
    "today": 1,
    "сегодня": 1,
    "week": 7,
    "неделя": 7,
    "неделю": 7,
    "month": 30,
    "месяц": 30,
}


def unspam_data(dialog_id: int) -> str:
    """Callback data of a dialog's "not spam" button."""
    return f"{PREFIX}:{ACTION}:{dialog_id}"


def read_unspam(data: str | None) -> int | None:
    """The dialog of a "not spam" button, or None when the data is something else."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[:2] != [PREFIX, ACTION] or not parts[2].isdigit():
        return None
    return int(parts[2])


def command_argument(text: str | None) -> str:
    """What follows the command word: "week" of "/spam week"."""
    parts = (text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def read_days(argument: str) -> int | None:
    """How many days /spam covers, today included; None when the argument makes no sense."""
    word = argument.lower()
    if not word:
        return 1
    if word in PERIODS:
        return PERIODS[word]
    if word.isdigit() and 1 <= int(word) <= MAX_DAYS:
        return int(word)
    return None


def period_start(now: datetime, days: int, tz: tzinfo) -> datetime:
    """Midnight (shop time) of the first of the last `days` days, today included."""
    return start_of_day(now, tz) - timedelta(days=days - 1)


def spam_text(
    closes: Sequence[SpamClose], total: int, since: datetime, words: Wording, tz: tzinfo
) -> tuple[str, list[list[CardButton]]]:
    """The listing as HTML, and a button for each listed dialog still closed as spam."""
    date = since.astimezone(tz).strftime("%d.%m")
    if not closes:
        return words.spam_none.format(date=date), []
    lines = [words.spam_title.format(date=date, count=total)]
    rows: list[list[CardButton]] = []
    size = len(lines[0])
    for n, close in enumerate(closes[:MAX_LISTED], start=1):
        line = _line(n, close, words, tz)
        if size + len(line) > MAX_CHARS:
            break
        size += len(line) + 1
        lines.append(line)
        if not close.cleared:
            rows.append([CardButton(words.unspam.format(n=n), unspam_data(close.dialog_id))])
    if len(lines) - 1 < total:
        lines.append(words.spam_more.format(count=total - (len(lines) - 1)))
    return "\n".join(lines), rows


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, "…" marking a cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _line(n: int, close: SpamClose, words: Wording, tz: tzinfo) -> str:
    channel = CHANNELS.get(close.channel, close.channel)
    line = words.spam_line.format(
        n=n,
        customer=escape(clip(close.customer_name, MAX_NAME) or "—"),
        channel=escape(channel),
        at=close.closed_at.astimezone(tz).strftime("%d.%m %H:%M"),
        text=escape(clip(close.text, MAX_TEXT) or "—"),
    )
    return f"{line} {words.spam_returned}" if close.cleared else line
