"""What channels hand to the pipeline: an event for one chat, and what handling it returned."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from chatbot.core.events import Event
from chatbot.core.media import Media
from chatbot.core.state import DialogState
from chatbot.core.trace import TraceEntry


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """What a channel knows about the person writing."""

    name: str = ""
    phone: str | None = None
    lang: str | None = None


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


class Handled(Protocol):
    """What handling one event did, as far as an edge needs to know (the pipeline's Outcome)."""

    @property
    def trace(self) -> Sequence[TraceEntry]:
        """What happened, in trace lines."""
        ...

    @property
    def duplicate(self) -> bool:
        """True when the event was a redelivery and changed nothing."""
        ...

    @property
    def state(self) -> DialogState | None:
        """The dialog's state after the event, when it was handled."""
        ...


InboundHandler = Callable[[Inbound], Awaitable[Handled]]
"""Hands one event to the pipeline; returns once it is committed (safe to acknowledge)."""
