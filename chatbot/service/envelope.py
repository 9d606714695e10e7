"""What adapters hand to the pipeline: an event for one chat, with its dedupe key."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatbot.core.events import Event
from chatbot.core.media import Media
from chatbot.db.dialogs import CustomerInfo


@dataclass(frozen=True, slots=True)
class IncomingText:
    """A customer's text (or pressed button) that still needs classifying."""

    text: str
    button: str | None = None
    # A photo, file, place...: `text` is then its marker and caption, which is what the dialog
    # reads; where the file is does not make two messages different.
    media: Media | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Inbound:
    """An event for the dialog (channel, chat_id); `external_id` deduplicates redeliveries."""

    channel: str
    chat_id: str
    payload: IncomingText | Event
    external_id: str | None = None
    customer: CustomerInfo = field(default_factory=CustomerInfo)
