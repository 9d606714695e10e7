"""Telegram updates to pipeline events: a pure reading of one update, never raising."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from aiogram.methods.base import TelegramMethod
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update, User
from pydantic import ValidationError

from chatbot.core.events import Blocked, Unblocked
from chatbot.core.media import Media
from chatbot.ports.inbound import CustomerInfo, Inbound, InboundHandler, IncomingText

log = logging.getLogger(__name__)
CHANNEL: Final = "telegram"
ALLOWED_UPDATES: Final = ("message", "callback_query", "my_chat_member")
"""The update types the bot asks Telegram for (polling and webhook alike)."""

# Content that is not text is stored and routed as a short marker (plus the caption, which
# often carries the actual question: "[photo] how much is this one?").
_MEDIA: Final = (
    "photo",
    "video",
    "video_note",
    "animation",
    "voice",
    "audio",
    "document",
    "sticker",
    "location",
    "venue",
    "poll",
    "dice",
)
LANGS: Final = ("ru", "en")


class RawGetUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates returning raw dicts, so one update aiogram rejects cannot block the others."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


StaffWork = Callable[[InboundHandler], Awaitable[None]]
"""The handling of an update from a managers' chat, given the pipeline's handler."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """What one update asks of the bot: an event for the pipeline and a callback to answer.

    `staff` is set instead for updates from the managers' chats, which are not customers'.
    """

    update_id: int | None
    inbound: Inbound | None = None
    callback_query_id: str | None = None
    staff: StaffWork | None = None


class StaffSide(Protocol):
    """The managers' side of the bot: claims the updates that come from the managers' chats."""

    def claim(self, update: Update) -> StaffWork | None:
        """How to handle this update, or None when it is a customer's."""
        ...


@dataclass(frozen=True, slots=True)
class Rejected:
    """An update that could not be parsed (logged then): only its id, when it has one."""

    update_id: int | None


def read_update(data: Any, staff: StaffSide | None = None) -> Incoming:
    """One raw update, parsed once and routed; ignored or rejected ones carry nothing to do."""
    return route_update(parse_update(data), staff)


def parse_update(data: Any) -> Update | Rejected:
    """The one parsing of a raw update; a rejected one is logged with why, never its text."""
    try:
        return Update.model_validate(data)
    except ValidationError as exc:
        update_id = data.get("update_id") if isinstance(data, dict) else None
        update_id = update_id if isinstance(update_id, int) else None
        reason = validation_reason(exc)
        log.warning("telegram.update_rejected", extra={"update_id": update_id, "reason": reason})
        return Rejected(update_id)


def route_update(update: Update | Rejected, staff: StaffSide | None = None) -> Incoming:
    """Who handles a parsed update: the managers' desk, a customer's dialog, or nobody."""
    if isinstance(update, Rejected):
        return Incoming(update.update_id)
    work = staff.claim(update) if staff is not None else None
    if work is not None:
        return Incoming(update.update_id, staff=work)
    if update.message is not None:
        return Incoming(update.update_id, _from_message(update.update_id, update.message))
    if update.callback_query is not None:
        return _from_callback(update.update_id, update.callback_query)
    if update.my_chat_member is not None:
        return Incoming(update.update_id, _from_member(update.update_id, update.my_chat_member))
    _ignore(update.update_id, _kind(update))
    return Incoming(update.update_id)


def validation_reason(exc: ValidationError, limit: int = 3) -> str:
    """Where and why validation failed, without the input values (they may hold message text)."""
    errors = exc.errors(include_input=False, include_url=False)
    reasons = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:limit]]
    more = f" (+{len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(reasons) + more


def customer_of(user: User) -> CustomerInfo:
    """Name and language as Telegram reports them (the language only when flows have it)."""
    code = (user.language_code or "").split("-")[0].lower()
    return CustomerInfo(name=user.first_name, lang=code if code in LANGS else None)


def _from_message(update_id: int, message: Message) -> Inbound | None:
    user = message.from_user
    if message.chat.type != "private":
        # Customers talk to the bot in private chats; groups (the managers' one) are not dialogs.
        _ignore(update_id, "group_message")
        return None
    if user is None or user.is_bot:
        _ignore(update_id, "bot_message")
        return None
    customer = customer_of(user)
    key = f"{message.chat.id}:{message.message_id}"
    if message.text is not None:
        payload = IncomingText(message.text)
    elif message.contact is not None:
        # Only the customer's own contact (the "share my phone" button) identifies them;
        # a forwarded contact card of someone else must not link this chat to that phone.
        if message.contact.user_id == user.id:
            customer = CustomerInfo(customer.name, message.contact.phone_number, customer.lang)
            payload = IncomingText("[contact: own phone shared]")
        else:
            payload = IncomingText("[contact]", media=Media("contact", key))
    elif (media := _media_kind(message)) is not None:
        # The managers get it copied as it is (copyMessage needs only where it is).
        found = Media(media, key, caption=message.caption or "")
        payload = IncomingText(_describe(media, message), media=found)
    else:
        _ignore(update_id, "service_message")
        return None
    return Inbound(CHANNEL, str(message.chat.id), payload, key, customer)


def _from_callback(update_id: int, query: CallbackQuery) -> Incoming:
    message = query.message
    chat = message.chat if message is not None else None
    if chat is not None and chat.type != "private":
        _ignore(update_id, "group_callback")
        return Incoming(update_id, None, query.id)
    if query.data is None:
        _ignore(update_id, "callback_without_data")
        return Incoming(update_id, None, query.id)
    # A private chat's id is the user's id, so inline-message callbacks still find the dialog.
    chat_id = chat.id if chat is not None else query.from_user.id
    payload = IncomingText(query.data, button=query.data)
    inbound = Inbound(
        CHANNEL, str(chat_id), payload, f"callback:{query.id}", customer_of(query.from_user)
    )
    return Incoming(update_id, inbound, query.id)


def _from_member(update_id: int, change: ChatMemberUpdated) -> Inbound | None:
    if change.chat.type != "private":
        # At INFO too, so that an admin who adds the bot to a group can read its chat id.
        joined = change.new_chat_member.status
        log.info("telegram.group_membership", extra={"chat_id": change.chat.id, "status": joined})
        _ignore(update_id, "group_membership")
        return None
    status = change.new_chat_member.status
    if status == "kicked":
        event: Blocked | Unblocked = Blocked()
    elif status == "member":
        event = Unblocked()
    else:
        _ignore(update_id, f"membership_{status}")
        return None
    return Inbound(
        CHANNEL, str(change.chat.id), event, f"member:{update_id}", customer_of(change.from_user)
    )


def _media_kind(message: Message) -> str | None:
    return next((kind for kind in _MEDIA if getattr(message, kind, None) is not None), None)


def _describe(kind: str, message: Message) -> str:
    label = f"[{kind.replace('_', ' ')}]"
    if kind == "sticker" and message.sticker is not None and message.sticker.emoji:
        label = f"{label} {message.sticker.emoji}"
    return f"{label} {message.caption}" if message.caption else label


def _kind(update: Update) -> str:
    given = update.model_fields_set  # the update's keys, new kinds aiogram lacks included
    return next((key for key, _ in update if key != "update_id" and key in given), "empty")


def _ignore(update_id: int | None, kind: str) -> None:
    log.debug("telegram.update_ignored", extra={"update_id": update_id, "kind": kind})
