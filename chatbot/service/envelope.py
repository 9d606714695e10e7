"""What adapters hand to the pipeline: an event for one chat, with its dedupe key."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatbot.core.events import Event
from chatbot.db.dialogs import CustomerInfo


@dataclass(frozen=True, slots=True)
class IncomingText:
    """A customer's text (or pressed button) that still needs classifying."""

    text: str
    button: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """An event for the dialog (channel, chat_id); `external_id` deduplicates redeliveries."""

    channel: str
    chat_id: str
    payload: IncomingText | Event
    external_id: str | None = None
    customer: CustomerInfo = field(default_factory=CustomerInfo)
