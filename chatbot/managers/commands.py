"""Managers' commands as read from the chat; answers to /tasks and /sla as HTML (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from html import escape
from typing import Final

from chatbot.db.cards import TaskCard
from chatbot.db.reports import ManagerFigures
from chatbot.engine.manager_wording import Wording
from chatbot.managers.card import CHANNELS

COMMANDS: Final = ("tasks", "sla", "spam", "report")  # /spam: spam_review; /report: report_chat
MAX_LISTED: Final = 30  # a long list is cut: the oldest tasks matter most
MAX_REASON: Final = 60


def read_command(text: str | None, bot_username: str | None) -> str | None:
    """`tasks`, `sla`, `spam` or `report` for "/tasks", "/sla@this_bot"...; else None."""
    if not text or not text.startswith("/"):
        return None
    word = text.split(maxsplit=1)[0][1:]
    name, _, addressee = word.partition("@")
    if addressee and (bot_username is None or addressee.lower() != bot_username.lower()):
        return None  # meant for another bot in the group
    name = name.lower()
    return name if name in COMMANDS else None


def card_link(card: TaskCard) -> str | None:
    """A t.me link to the card in a supergroup (other chats have no message links)."""
    chat = card.card_chat_id or ""
    if card.card_message_id is None or not chat.startswith("-100"):
        return None
    return f"https://t.me/c/{chat[4:]}/{card.card_message_id}"


def tasks_text(cards: Sequence[TaskCard], now: datetime, words: Wording) -> str:
    """Unfinished tasks, oldest first: who, where, waiting how long or held by whom."""
    if not cards:
        return words.no_tasks
    lines = [f"<b>{words.tasks_title.format(count=len(cards))}</b>"]
    for card in cards[:MAX_LISTED]:
        title = escape(words.task.format(id=card.task_id))
        link = card_link(card)
        title = f'<a href="{escape(link)}">{title}</a>' if link else title
        kind = escape(words.kinds.get(card.kind, card.kind))
        if card.status == "taken":
            state = words.held_by.format(manager=escape(card.manager or "—"))
        else:
            waited = (now - card.created_at).total_seconds()
            state = words.waits.format(minutes=minutes(waited, words))
        reason = card.reason if len(card.reason) <= MAX_REASON else card.reason[:59] + "…"
        channel = CHANNELS.get(card.channel, card.channel)
        lines.append(
            f"{title} · {kind} · {escape(card.customer_name or '—')} · "
            f"{escape(channel)} · {state} · {escape(reason)}"
        )
    if len(cards) > MAX_LISTED:
        lines.append(f"… +{len(cards) - MAX_LISTED}")
    return "\n".join(lines)


def sla_text(
    figures: Sequence[ManagerFigures],
    alerts: Mapping[str, int],
    untaken: int,
    day: date,
    words: Wording,
) -> str:
    """Today's response times per manager, late answers, alerts and untaken tasks."""
    lines = [f"<b>{words.sla_title.format(date=day.strftime('%d.%m'))}</b>"]
    if not figures:
        lines.append(words.sla_nobody)
    for f in figures:
        lines.append(
            words.sla_line.format(
                manager=escape(f.manager),
                answers=f.answers,
                average=minutes(f.average_seconds, words),
                longest=minutes(f.longest_seconds, words),
                breaches=f.breaches,
            )
        )
    lines.append("")
    lines.append(
        words.sla_alerts.format(sla=alerts.get("sla", 0), supervisor=alerts.get("supervisor", 0))
    )
    lines.append(words.sla_untaken.format(count=untaken))
    return "\n".join(lines)


def minutes(seconds: float, words: Wording) -> str:
    """Seconds as minutes: whole from 10 up, one decimal below."""
    value = max(seconds, 0.0) / 60
    shown = f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")
    return words.minutes.format(n=shown)


def start_of_day(now: datetime, tz: tzinfo) -> datetime:
    """Midnight of `now`'s day in the shop's time zone ("today" of /sla)."""
    return datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
