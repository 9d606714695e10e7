"""Outbox rows to Telegram messages: inline keyboards, long texts split, errors mapped."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, SendMessage
from aiogram.methods.base import Response
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from chatbot.core.effects import Button
from chatbot.core.outbox_messages import CustomerMessage
from chatbot.ports.outbound import OutgoingMessage, SendFailed

log = logging.getLogger(__name__)
MAX_TEXT: Final = 4096
MAX_CALLBACK_DATA: Final = 64
_REMEMBERED: Final = 10_000
# aiogram builds Response[...] for every answer it reads, and pydantic caches such classes only
# weakly: once the garbage collector takes one, the next call rebuilds it (about 5 ms of CPU; in
# the webhook benchmark every fifth sendMessage paid it). Holding them keeps the cache warm.
RESPONSE_TYPES: Final = tuple(
    Response[m.__returning__]  # type: ignore[name-defined]
    for m in (SendMessage, AnswerCallbackQuery, EditMessageReplyMarkup)
)


class TelegramSender:
    """Delivers outbox rows as plain-text messages (no parse mode, so nothing needs escaping).

    Menu and flow texts come from admins, manager texts from people, and both may contain `<`,
    `*` or `_`; without a parse mode Telegram shows them verbatim and can never reject a message
    for bad markup, which a retry would not fix.
    """

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        # Parts already delivered per idempotency key: a retry after part 2 of 3 failed
        # resumes at part 2 instead of sending part 1 again (in memory: a restart may repeat).
        self._delivered: OrderedDict[str, int] = OrderedDict()

    async def send(self, message: OutgoingMessage) -> None:
        """Send one outbox row or raise SendFailed."""
        body = message.body
        if not isinstance(body, CustomerMessage):
            raise SendFailed(f"telegram cannot send {message.kind!r} rows", final=True)
        if body.copy_of:
            await self._copy(message.chat_id, body.copy_of)
            return
        parts = split_text(body.text or "")
        if not parts:
            raise SendFailed("empty message text", final=True)
        markup = keyboard(body.buttons)
        key = message.idempotency_key
        first = self._delivered.pop(key, 0)
        for index in range(first, len(parts)):
            try:
                await self.bot.send_message(
                    chat_id=message.chat_id,
                    text=parts[index],
                    parse_mode=None,
                    reply_markup=markup if index == len(parts) - 1 else None,
                )
            except AiogramError as exc:
                if index:
                    self._remember(key, index)
                raise send_failure(exc) from exc

    async def _copy(self, chat_id: str, source: str) -> None:
        """A manager's photo or file, copied with its caption from the managers' chat."""
        from_chat, _, message_id = source.partition(":")
        if not message_id.isdigit():
            raise SendFailed(f"not a message to copy: {source!r}", final=True)
        try:
            await self.bot.copy_message(
                chat_id=chat_id, from_chat_id=int(from_chat), message_id=int(message_id)
            )
        except AiogramError as exc:
            raise send_failure(exc) from exc

    def _remember(self, key: str, sent: int) -> None:
        self._delivered[key] = sent
        self._delivered.move_to_end(key)
        if len(self._delivered) > _REMEMBERED:
            self._delivered.popitem(last=False)


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """One inline button per row; the callback data is the button id (at most 64 bytes)."""
    if not buttons:
        return None
    rows = []
    for button in buttons:
        data = str(button.id)
        if len(data.encode()) > MAX_CALLBACK_DATA:
            # Telegram rejects the whole message; only the flow author can fix the id.
            raise SendFailed(f"button id {data[:20]!r}... is longer than 64 bytes", final=True)
        rows.append([InlineKeyboardButton(text=str(button.label), callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def send_failure(exc: AiogramError) -> SendFailed:
    """Map an aiogram error to the outbox's retry decision."""
    reason = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, TelegramRetryAfter):
        return SendFailed(reason, retry_after=float(exc.retry_after))
    if isinstance(exc, TelegramForbiddenError):
        return SendFailed(reason, blocked=True)  # the customer blocked the bot
    if isinstance(exc, TelegramMigrateToChat | TelegramBadRequest):
        # Blocked, deactivated, chat not found, bad request: the same call can never succeed.
        return SendFailed(reason, final=True)
    return SendFailed(reason)  # network errors, 5xx, timeouts: try again later


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at paragraph, then line, then word ends."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        end = max(_fitting_prefix(rest, limit), 1)
        cut = end if end == len(rest) else _boundary(rest, end)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [p for p in parts if p]


def _boundary(text: str, end: int) -> int:
    """The last paragraph, line or word end in the second half of text[:end], else `end`."""
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, end // 2, end + 1)
        if at > 0:
            return at
    return end


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters fit in `limit` UTF-16 code units (Telegram counts those)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)
