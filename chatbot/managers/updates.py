"""Updates from the managers' (and supervisor's) chats: button presses and messages (pure)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from chatbot.core.media import WHATSAPP_LIMITS, ManagerFile
from chatbot.managers.card import PREFIX

MAX_NAME: Final = 64  # the width of the manager columns
# Sent to a customer as it is, with its caption (copyMessage): a photo of the order, a file...
_COPYABLE: Final = frozenset(
    {
        ContentType.PHOTO,
        ContentType.VIDEO,
        ContentType.DOCUMENT,
        ContentType.AUDIO,
        ContentType.VOICE,
        ContentType.ANIMATION,
        ContentType.VIDEO_NOTE,
        ContentType.STICKER,
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a Telegram user, or the group itself (an anonymous admin)."""

    name: str
    user_id: int | None = None
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A card button was pressed."""

    update_id: int
    query_id: str
    chat_id: int | None
    actor: Actor
    data: str | None


@dataclass(frozen=True, slots=True)
class StaffMessage:
    """A message in a managers' chat; `reply_to` is the bot message it answers, if any."""

    update_id: int
    chat_id: int
    message_id: int
    actor: Actor
    text: str | None  # the text, or the caption of a photo or file
    reply_to: int | None = None
    media: bool = False  # a photo, video, file, voice...: copied to the customer as it is
    # The same media as a file to upload where copying is impossible (WhatsApp); None for kinds
    # WhatsApp cannot take. Read from the same message, so it does not tell two messages apart.
    file: ManagerFile | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class StaffOther:
    """Anything else from a managers' chat (joins, edits, the bot's own messages): no action."""

    update_id: int


StaffUpdate = ButtonPress | StaffMessage | StaffOther


def read_staff_update(
    update: Update, chats: Collection[int], bot_id: int | None
) -> StaffUpdate | None:
    """The update as managers' work, or None when it belongs to the customers' side."""
    if update.callback_query is not None:
        return _press(update.update_id, update.callback_query, chats)
    message = update.message or update.edited_message
    if message is not None and message.chat.id in chats:
        if update.message is None or _from_bot(message, bot_id):
            return StaffOther(update.update_id)  # edits are not re-sent; our own posts echo
        return _message(update.update_id, message, bot_id)
    change = update.my_chat_member or update.chat_member
    if change is not None and change.chat.id in chats:
        return StaffOther(update.update_id)
    return None


def manager_name(user: User) -> str:
    """How a manager is named in tasks and reports: @username, else the full name."""
    name = f"@{user.username}" if user.username else user.full_name
    return (name.strip() or str(user.id))[:MAX_NAME]


def _press(update_id: int, query: CallbackQuery, chats: Collection[int]) -> ButtonPress | None:
    chat = query.message.chat if query.message is not None else None
    ours = (query.data or "").startswith(f"{PREFIX}:")
    if not ours and (chat is None or chat.id not in chats):
        return None
    actor = Actor(manager_name(query.from_user), query.from_user.id, query.from_user.is_bot)
    return ButtonPress(update_id, query.id, chat.id if chat else None, actor, query.data)


def _message(update_id: int, message: Message, bot_id: int | None) -> StaffMessage:
    reply = message.reply_to_message
    reply_to = reply.message_id if reply is not None and _from_bot(reply, bot_id) else None
    media = message.text is None and message.content_type in _COPYABLE
    return StaffMessage(
        update_id,
        message.chat.id,
        message.message_id,
        _author(message),
        message.text if message.text is not None else message.caption,
        reply_to,
        media,
        _file(message),
    )


def _file(message: Message) -> ManagerFile | None:
    """The photo, file, video or voice message to upload, with what Telegram says of it."""
    source = f"{message.chat.id}:{message.message_id}"
    if message.animation is not None:
        return None  # a GIF also carries a `document`, but WhatsApp has no such message
    if message.photo:
        # The largest size WhatsApp takes as an image (Telegram lists them small to large).
        fitting = [p for p in message.photo if (p.file_size or 0) <= WHATSAPP_LIMITS["image"]]
        photo = (fitting or message.photo)[-1]
        return ManagerFile("photo", photo.file_id, photo.file_size or 0, "image/jpeg", "", source)
    if message.voice is not None:
        voice = message.voice
        return ManagerFile(
            "voice", voice.file_id, voice.file_size or 0, voice.mime_type or "audio/ogg", "", source
        )
    for kind in ("document", "video", "audio"):
        item = getattr(message, kind)
        if item is not None:
            return ManagerFile(
                kind,
                item.file_id,
                item.file_size or 0,
                item.mime_type or "",
                item.file_name or "",
                source,
            )
    return None


def _author(message: Message) -> Actor:
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        # An anonymous admin writes as the group: the signature names them when it is on.
        return Actor((message.author_signature or _title(message.chat))[:MAX_NAME])
    user = message.from_user
    if user is None:
        return Actor(_title(message.chat))
    return Actor(manager_name(user), user.id, user.is_bot)


def _title(chat: Chat) -> str:
    return chat.title or chat.full_name or "manager"


def _from_bot(message: Message, bot_id: int | None) -> bool:
    user = message.from_user
    return user is not None and user.is_bot and (bot_id is None or user.id == bot_id)
