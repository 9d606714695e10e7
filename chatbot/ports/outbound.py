"""What the outbox hands to a channel, and how a channel says a delivery failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chatbot.core.outbox_messages import OutboxMessage, kind_of
from chatbot.errors import ChannelError


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One outbox row as a channel sees it: where it goes and the typed message it carries."""

    idempotency_key: str
    chat_id: str
    body: OutboxMessage
    attempts: int = 0  # failed tries so far
    last_try: bool = False  # a failure now is final: a sender may say why (a note, say)

    @property
    def kind(self) -> str:
        """The row's kind (`message`, `task`, `alert`...)."""
        return kind_of(self.body)


class SendFailed(ChannelError):
    """Delivery failed; `retry_after` asks to wait, `final` means never retry.

    `blocked` says the customer cannot receive messages any more (Telegram 403, WhatsApp
    131026): the row fails for good and the dialog gets a bot_blocked event. `skipped` says the
    message may not be sent at all (WhatsApp's window closed and the text has no template): the
    row is recorded as skipped. `reengagement` marks WhatsApp's "window closed" answer.
    """

    def __init__(
        self,
        reason: str,
        retry_after: float | None = None,
        final: bool = False,
        blocked: bool = False,
        skipped: bool = False,
        reengagement: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.final = final or blocked or skipped
        self.blocked = blocked
        self.skipped = skipped
        self.reengagement = reengagement


class MessageSender(Protocol):
    """A channel's way to deliver one outbox row (idempotent by its key)."""

    async def send(self, message: OutgoingMessage) -> None:
        """Deliver the message or raise SendFailed."""
        ...
