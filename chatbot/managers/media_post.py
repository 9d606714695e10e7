"""A customer's media in the managers' chat: copied from Telegram, uploaded from WhatsApp."""

from __future__ import annotations

from html import escape
from typing import Final

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import BufferedInputFile, Message, ReplyParameters

from chatbot.channels.graph_media import GraphMedia, TooLarge
from chatbot.channels.telegram_sender import send_failure
from chatbot.core.media import TELEGRAM_PHOTO, TELEGRAM_UPLOAD, Media, megabytes
from chatbot.core.outbox_messages import MediaRelay
from chatbot.engine.manager_wording import Wording
from chatbot.ports.outbound import OutgoingMessage, SendFailed

MAX_CAPTION: Final = 1024
# Kinds Telegram shows with a caption; stickers, places and contact cards have none.
CAPTIONED: Final = frozenset({"photo", "video", "animation", "audio", "voice", "document"})
_NAMES: Final = {
    "photo": "photo.jpg",
    "video": "video.mp4",
    "voice": "voice.ogg",
    "audio": "audio",
    "sticker": "sticker.webp",
    "document": "file",
}


class MediaRefused(Exception):
    """The media cannot be posted (too large, of a kind we cannot show): `note` says why."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


class MediaPoster:
    """Posts one customer's media with a header naming the customer; returns its message id."""

    def __init__(self, bot: Bot, graph: GraphMedia | None = None) -> None:
        self.bot = bot
        self.graph = graph

    async def post_or_note(
        self,
        message: OutgoingMessage,
        relay: MediaRelay,
        chat_id: int,
        reply_to: int | None,
        header: str,
        words: Wording,
    ) -> int | str:
        """The posted message's id, or the note to post instead when it can never be posted
        (too large, a kind Telegram cannot show) or still fails on the last try."""
        try:
            return await self.post(relay.channel, relay.media, chat_id, reply_to, header, words)
        except MediaRefused as refused:
            return refused.note
        except SendFailed as exc:
            last = exc.final or message.last_try
            if exc.blocked or not last:
                raise
            return words.media_failed.format(reason=escape(str(exc)))

    async def post(
        self,
        channel: str,
        media: Media,
        chat_id: int,
        reply_to: int | None,
        header: str,
        words: Wording,
    ) -> int:
        """Post it; SendFailed to retry or give up, MediaRefused when it can never be posted."""
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        caption = _caption(header, media.caption) if media.kind in CAPTIONED else None
        try:
            if channel == "telegram":
                source, _, message_id = media.ref.partition(":")
                copied = await self.bot.copy_message(
                    chat_id=chat_id,
                    from_chat_id=int(source),
                    message_id=int(message_id),
                    caption=caption,
                    parse_mode="HTML" if caption else None,
                    reply_parameters=reply if reply_to is not None else None,
                )
                return copied.message_id
            sent = await self._upload(media, chat_id, reply if reply_to else None, caption, words)
        except AiogramError as exc:
            raise send_failure(exc) from exc
        return sent.message_id

    async def _upload(
        self,
        media: Media,
        chat_id: int,
        reply: ReplyParameters | None,
        caption: str | None,
        words: Wording,
    ) -> Message:
        """A WhatsApp customer's media, downloaded from the Graph API and uploaded to Telegram."""
        if media.kind == "location" and media.latitude is not None and media.longitude is not None:
            return await self.bot.send_location(
                chat_id, media.latitude, media.longitude, reply_parameters=reply
            )
        if media.kind == "contact" and media.phone:
            return await self.bot.send_contact(
                chat_id, media.phone, media.title or media.phone, reply_parameters=reply
            )
        if self.graph is None or not media.ref or media.kind not in _NAMES:
            raise MediaRefused(words.media_unshown.format(kind=media.kind))
        try:
            got = await self.graph.download(media.ref, TELEGRAM_UPLOAD)
        except TooLarge as exc:
            raise MediaRefused(
                words.media_too_big.format(size=megabytes(exc.size), limit=megabytes(exc.limit))
            ) from exc
        file = BufferedInputFile(got.data, media.name or _NAMES[media.kind])
        html = "HTML" if caption else None
        kind = media.kind
        if kind == "photo" and len(got.data) > TELEGRAM_PHOTO:
            kind = "document"  # Telegram takes photos up to 10 MB; larger ones go as files
        if kind == "photo":
            return await self.bot.send_photo(
                chat_id, file, caption=caption, parse_mode=html, reply_parameters=reply
            )
        if kind == "video":
            return await self.bot.send_video(
                chat_id, file, caption=caption, parse_mode=html, reply_parameters=reply
            )
        if kind == "voice":
            return await self.bot.send_voice(
                chat_id, file, caption=caption, parse_mode=html, reply_parameters=reply
            )
        if kind == "audio":
            return await self.bot.send_audio(
                chat_id, file, caption=caption, parse_mode=html, reply_parameters=reply
            )
        if kind == "sticker":
            return await self.bot.send_sticker(chat_id, file, reply_parameters=reply)
        return await self.bot.send_document(
            chat_id, file, caption=caption, parse_mode=html, reply_parameters=reply
        )


def _caption(header: str, caption: str) -> str:
    """The header naming the customer, then their caption (escaped: it is theirs)."""
    if not caption:
        return header
    cut = caption
    text = f"{header}\n{escape(cut)}"
    while len(text) > MAX_CAPTION and cut:
        # Escaping lengthens the text, so cut the caption itself until the whole fits.
        cut = cut[: max(len(cut) - (len(text) - MAX_CAPTION) - 1, 0)]
        text = f"{header}\n{escape(cut)}…"
    return text
