"""Posts in the staff chats: where they go, their buttons, and sending or editing them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Final

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramMigrateToChat
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)

from chatbot.channels.telegram_sender import send_failure
from chatbot.engine.manager_wording import Wording
from chatbot.managers.card import CardButton
from chatbot.ports.outbound import SendFailed

log = logging.getLogger(__name__)
_UNCHANGED: Final = "message is not modified"
_GONE: Final = ("message to edit not found", "message can't be edited")
Markup = InlineKeyboardMarkup | None  # no markup: a post without buttons


@dataclass(slots=True)
class StaffChats:
    """Where managers' posts go, and the words and time zone they are written in."""

    managers: int
    supervisor: int | None
    wording: Wording | Callable[[], Wording]  # a callable: the texts of the files in use
    tz: tzinfo
    shop: str = ""  # the shop's name and language, for the report page
    lang: str = "ru"

    @property
    def words(self) -> Wording:
        """The managers' texts now: a reload of the admin files changes them."""
        return self.wording if isinstance(self.wording, Wording) else self.wording()


class StaffPosts:
    """Sends and edits HTML posts in the staff chats, following a group that moved."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._moved: dict[int, int] = {}  # groups that became supergroups: old id -> new id

    def chat(self, chat_id: int) -> int:
        """The id posts to `chat_id` go to now: a group that became a supergroup has a new one."""
        return self._moved.get(chat_id, chat_id)

    async def send(
        self, chat_id: int, text: str, markup: Markup, reply_to: int | None = None
    ) -> tuple[int, int]:
        """Send an HTML message; (chat id, message id). Follows a group that moved."""
        chat_id = self.chat(chat_id)
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        for _ in range(2):
            try:
                sent = await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode="HTML",
                    reply_markup=markup,
                    reply_parameters=reply if reply_to is not None else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except TelegramMigrateToChat as exc:
                # The group became a supergroup with a new id: follow it, and say so once.
                log.warning(
                    "managers.chat_moved", extra={"old": chat_id, "new": exc.migrate_to_chat_id}
                )
                self._moved[chat_id] = chat_id = exc.migrate_to_chat_id
                continue
            except AiogramError as exc:
                raise send_failure(exc) from exc
            return sent.chat.id, sent.message_id
        raise SendFailed("the managers' chat keeps moving", final=True)

    async def edit(
        self, chat_id: int, message_id: int, text: str | None, markup: InlineKeyboardMarkup
    ) -> None:
        """Edit a post's text and buttons (or only the buttons); unchanged or gone is fine."""
        try:
            if text is not None:
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode="HTML",
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            else:
                await self.bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
        except TelegramBadRequest as exc:
            reason = str(exc).lower()
            if _UNCHANGED in reason:
                return
            if any(gone in reason for gone in _GONE):
                log.warning("managers.edit_skipped", extra={"message_id": message_id})
                return
            raise send_failure(exc) from exc
        except AiogramError as exc:
            raise send_failure(exc) from exc


def keyboard(rows: Sequence[Sequence[CardButton]]) -> InlineKeyboardMarkup:
    """Card buttons as an inline keyboard (an empty one removes the buttons)."""
    keys = [[InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row] for row in rows]
    return InlineKeyboardMarkup(inline_keyboard=keys)
