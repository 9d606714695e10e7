"""Events the engine reacts to: customer messages, timers, CRM events and manager actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from chatbot.core.intents import Classification

CRM_EVENTS: Final[tuple[str, ...]] = (
    "order_created",
    "order_paid",
    "order_ready",
    "order_shipped",
    "order_delivered",
    "order_cancelled",
    "offer_sent",
    "missed_call",
)
"""Event types the CRM or the shop's site may send (DESIGN.md §3.2)."""

ManagerActionName = Literal["take", "done", "return_to_bot"]
MANAGER_ACTIONS: Final[tuple[str, ...]] = ("take", "done", "return_to_bot")


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """A message from the customer, already classified by the pipeline."""

    text: str
    classification: Classification
    button: str | None = None


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A timer row came due; `token` must match the dialog's live timer to act."""

    name: str
    token: int


@dataclass(frozen=True, slots=True)
class CrmEvent:
    """An order or shop event with its data (order_id, amount, pay_url, ...)."""

    type: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ManagerMessage:
    """A manager writes to the customer through the bot."""

    text: str
    manager: str = "manager"
    # A photo or file the manager sent, as the channel can copy it ("chat id:message id");
    # `text` is then its caption.
    attachment: str | None = None


def history_text(text: str, attachment: str | None) -> str:
    """A manager's message as the dialog's history shows it: "[media]" stands for a file."""
    return f"[media] {text}".rstrip() if attachment else text


@dataclass(frozen=True, slots=True)
class ManagerAction:
    """A manager pressed Take, Done or Return to bot."""

    action: ManagerActionName
    manager: str = "manager"


@dataclass(frozen=True, slots=True)
class Blocked:
    """The customer blocked the bot or became undeliverable."""

    reason: str = "blocked"


@dataclass(frozen=True, slots=True)
class Unblocked:
    """The customer unblocked the bot."""


@dataclass(frozen=True, slots=True)
class SpamCleared:
    """A manager reviewed a spam close: the customer is no spammer and is served as new."""

    manager: str = "manager"


ManagerEvent = ManagerMessage | ManagerAction | SpamCleared
"""What a manager does to a dialog; each is recorded once under its external id."""


def manager_note(event: ManagerEvent) -> str:
    """A manager's event as the dialog's history records it: the text, "[take]"..."""
    if isinstance(event, ManagerMessage):
        return history_text(event.text, event.attachment)
    if isinstance(event, ManagerAction):
        return f"[{event.action}]"
    return "[spam_cleared]"


Event = (
    CustomerMessage
    | TimerFired
    | CrmEvent
    | ManagerMessage
    | ManagerAction
    | Blocked
    | Unblocked
    | SpamCleared
)
