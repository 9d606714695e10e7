"""A manager's photo or file to a WhatsApp customer: from Telegram, uploaded, sent by media id."""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
from aiogram import Bot
from aiogram.exceptions import AiogramError

from chatbot.channels.graph_media import GraphMedia
from chatbot.channels.telegram_sender import send_failure as telegram_failure
from chatbot.core.media import WHATSAPP_TYPE, ManagerFile, read_manager_file, whatsapp_limit
from chatbot.core.outbox_messages import CustomerMessage
from chatbot.ports.outbound import OutgoingMessage, SendFailed

log = logging.getLogger(__name__)
MAX_CAPTION: Final = 1024
_REMEMBERED: Final = 1_000
_DEFAULT_NAMES: Final = {
    "image": "photo.jpg",
    "video": "video.mp4",
    "audio": "voice.ogg",
    "document": "file",
}

Note = Callable[[str, str], Awaitable[None]]
"""Tells the manager why their file did not go: (their message "chat id:message id", reason)."""


class WhatsAppFiles:
    """Sends outbox rows whose `copy_of` names a manager's Telegram file."""

    def __init__(self, bot: Bot, graph: GraphMedia, note: Note | None = None) -> None:
        self.bot = bot
        self.graph = graph
        self.note = note
        # Media ids already uploaded per outbox row: a retry of the message does not upload again.
        self._uploaded: OrderedDict[str, str] = OrderedDict()

    async def send(self, message: OutgoingMessage) -> None:
        """Upload the file and send it; on the last failure the manager gets a note."""
        body = message.body
        copied = body if isinstance(body, CustomerMessage) else CustomerMessage()
        file = read_manager_file(copied.copy_of or "")
        if file is None:
            raise SendFailed("a Telegram message cannot be copied to WhatsApp", final=True)
        try:
            await self._send(message, file, copied.text or "")
        except SendFailed as exc:
            last = exc.final or message.last_try
            if last and self.note is not None and file.source:
                await self.note(file.source, str(exc))
            raise

    async def _send(self, message: OutgoingMessage, file: ManagerFile, text: str) -> None:
        kind = WHATSAPP_TYPE.get(file.kind)
        if kind is None or whatsapp_limit(file) is not None:
            raise SendFailed(
                f"a {file.kind} of {file.size} bytes cannot go to WhatsApp", final=True
            )
        media_id = self._uploaded.get(message.idempotency_key)
        if media_id is None:
            data = await self._download(file)
            name = file.name or _DEFAULT_NAMES[kind]
            media_id = await self.graph.upload(data, file.mime or _mime(kind), name)
            self._remember(message.idempotency_key, media_id)
        caption = text.strip()[:MAX_CAPTION]
        item: dict[str, Any] = {"id": media_id}
        if caption and kind != "audio":  # WhatsApp's voice and audio messages have no caption
            item["caption"] = caption
        if kind == "document":
            item["filename"] = file.name or _DEFAULT_NAMES[kind]
        base = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.chat_id,
            "biz_opaque_callback_data": message.idempotency_key,
        }
        await self.graph.send({**base, "type": kind, kind: item})
        if caption and kind == "audio":
            await self.graph.send({**base, "type": "text", "text": {"body": caption}})
        self._uploaded.pop(message.idempotency_key, None)

    async def _download(self, file: ManagerFile) -> bytes:
        """The file's bytes from Telegram (getFile, then its path)."""
        try:
            found = await self.bot.get_file(file.file_id)
            if not found.file_path:
                raise SendFailed("Telegram gave no path for the file", final=True)
            got = await self.bot.download_file(found.file_path, io.BytesIO())
        except AiogramError as exc:
            raise telegram_failure(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendFailed(f"download: {type(exc).__name__}") from exc
        assert got is not None  # a destination was given, so it is returned
        return got.read()

    def _remember(self, key: str, media_id: str) -> None:
        self._uploaded[key] = media_id
        if len(self._uploaded) > _REMEMBERED:
            self._uploaded.popitem(last=False)


def _mime(kind: str) -> str:
    return {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg"}.get(
        kind, "application/octet-stream"
    )
