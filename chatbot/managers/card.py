"""Task cards, alerts and relayed messages as HTML texts with their buttons (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from html import escape
from typing import Final

from chatbot.core.events import ManagerActionName
from chatbot.db.cards import Line, TaskCard
from chatbot.engine.manager_wording import Wording

PREFIX: Final = "mgr"
MAX_LINE: Final = 300
MAX_RELAY: Final = 3500  # with the head and HTML escapes, under Telegram's 4096
CHANNELS: Final = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": "console"}
_ACTIONS: Final[dict[str, ManagerActionName]] = {
    "take": "take",
    "done": "done",
    "return_to_bot": "return_to_bot",
}


@dataclass(frozen=True, slots=True)
class CardButton:
    """An inline button under a card: its label and callback data."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Pressed:
    """A card button as read back from callback data."""

    action: ManagerActionName
    task_id: int


def button_data(action: ManagerActionName, task_id: int) -> str:
    """Callback data of a card button (well under Telegram's 64 bytes)."""
    return f"{PREFIX}:{action}:{task_id}"


def read_button(data: str | None) -> Pressed | None:
    """The action and task of a card button, or None when it is not one of ours."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[2].isdigit():
        return None
    action = _ACTIONS.get(parts[1])
    return Pressed(action, int(parts[2])) if action is not None else None


def buttons(task_id: int, status: str, words: Wording) -> list[list[CardButton]]:
    """Rows of buttons for a task in this status: none once it is closed."""
    done = CardButton(words.done, button_data("done", task_id))
    back = CardButton(words.back, button_data("return_to_bot", task_id))
    if status == "open":
        return [[CardButton(words.take, button_data("take", task_id))], [done, back]]
    if status == "taken":
        return [[done, back]]
    return []


def mask_phone(phone: str | None) -> str:
    """A phone with its middle digits hidden: +7999*****22 (the group is not the CRM)."""
    if not phone:
        return ""
    digits = [i for i, char in enumerate(phone) if char.isdigit()]
    hidden = set(digits[4:-2])
    return "".join("*" if i in hidden else char for i, char in enumerate(phone))


def customer_label(name: str, phone: str | None) -> str:
    """The customer's name and masked phone, escaped."""
    parts = [escape(name.strip() or "—")]
    if phone:
        parts.append(escape(mask_phone(phone)))
    return " · ".join(parts)


def status_line(card: TaskCard, words: Wording) -> str:
    """Who holds the task now."""
    manager = escape(card.manager or "—")
    if card.status == "open":
        return words.status_open
    if card.status == "taken":
        return words.status_taken.format(manager=manager)
    if card.status == "done":
        return words.status_done.format(manager=manager)
    return words.status_cancelled


def card_text(card: TaskCard, lines: Sequence[Line], words: Wording, tz: tzinfo) -> str:
    """The whole card: task, customer, channel, stage, reason, recent messages, status."""
    kind = words.kinds.get(card.kind, card.kind)
    title = words.task.format(id=card.task_id)
    channel = CHANNELS.get(card.channel, card.channel)
    text = [
        f"🆕 <b>{escape(title)}</b> · {escape(kind)}",
        f"{words.customer}: {customer_label(card.customer_name, card.phone)}",
        f"{words.channel}: {escape(channel)} · {words.stage}: {escape(card.stage)}",
        f"{words.reason}: {escape(_short(card.reason))}",
    ]
    if lines:
        text += ["", words.recent, *(_line(line, tz) for line in lines)]
    text += ["", status_line(card, words)]
    return "\n".join(text)


def sla_text(card: TaskCard, reason: str, on_duty: Sequence[str], words: Wording) -> str:
    """A re-announcement of an untaken card, with who is on duty today."""
    names = ", ".join(escape(n) for n in on_duty)
    duty = words.on_duty.format(names=names) if on_duty else words.nobody_on_duty
    head = words.sla_alert.format(id=card.task_id, reason=escape(_short(reason)))
    who = customer_label(card.customer_name, card.phone)
    return f"{head}\n{words.customer}: {who}\n{duty}"


def supervisor_text(reason: str, card_body: str, words: Wording) -> str:
    """An escalation: the reason above the full card."""
    return f"{words.supervisor_alert.format(reason=escape(_short(reason)))}\n\n{card_body}"


def relay_text(name: str, task_id: int | None, text: str, words: Wording) -> str:
    """A customer's message passed on to the managers' chat."""
    head = words.relay.format(customer=escape(name.strip() or "—"), id=task_id or "—")
    clipped = text.strip() if len(text) <= MAX_RELAY else text[: MAX_RELAY - 1] + "…"
    return f"{head}\n{escape(clipped)}"


def _line(line: Line, tz: tzinfo) -> str:
    who = "👤" if line.direction == "in" else ("🤖" if line.author == "bot" else "🧑‍💼")
    at = line.at.astimezone(tz).strftime("%H:%M")
    return f"{who} {at} {escape(_short(line.text))}"


def _short(text: str, limit: int = MAX_LINE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
