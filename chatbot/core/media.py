"""Photos, files, voice messages, places and contact cards: what they are and the size limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

MB: Final = 1024 * 1024
TELEGRAM_UPLOAD: Final = 50 * MB  # what a bot may upload (sendPhoto, sendDocument...)
TELEGRAM_DOWNLOAD: Final = 20 * MB  # what a bot may download (getFile)
TELEGRAM_PHOTO: Final = 10 * MB  # larger images go as documents
# What the Cloud API accepts per message type (Meta's "supported media types").
WHATSAPP_LIMITS: Final = {
    "image": 5 * MB,
    "video": 16 * MB,
    "audio": 16 * MB,
    "document": 100 * MB,
    "sticker": MB // 2,
}
# A manager's Telegram file as the WhatsApp message type that carries it; others cannot go.
WHATSAPP_TYPE: Final = {
    "photo": "image",
    "document": "document",
    "video": "video",
    "voice": "audio",
    "audio": "audio",
}
FILE_PREFIX: Final = "tg-file?"


@dataclass(frozen=True, slots=True)
class Media:
    """What a customer sent besides text; `ref` says where it is.

    Telegram: "chat id:message id" (copied as it is). WhatsApp: the Graph API media id.
    Places and contact cards carry their content instead of a file.
    """

    kind: str  # photo, video, voice, audio, document, sticker, location, contact...
    ref: str = ""
    caption: str = ""
    mime: str = ""
    name: str = ""  # a document's file name
    latitude: float | None = None
    longitude: float | None = None
    title: str = ""  # a place's name and address, a contact's name
    phone: str = ""  # a contact's phone

    def to_json(self) -> dict[str, Any]:
        """The fields that are set, for an outbox payload."""
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Media:
        """Read `to_json`'s output back; unknown keys are ignored."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass(frozen=True, slots=True)
class ManagerFile:
    """A manager's Telegram file to upload elsewhere (a WhatsApp customer cannot be copied to)."""

    kind: str  # the Telegram kind: photo, document, video, voice, audio
    file_id: str
    size: int = 0  # 0: unknown
    mime: str = ""
    name: str = ""
    source: str = ""  # "chat id:message id" of the manager's message, for notes about it

    def attachment(self) -> str:
        """As `ManagerMessage.attachment` carries it (a query string: names may hold anything)."""
        return FILE_PREFIX + urlencode(
            {
                "kind": self.kind,
                "id": self.file_id,
                "size": self.size,
                "mime": self.mime,
                "name": self.name,
                "source": self.source,
            }
        )


def read_manager_file(attachment: str) -> ManagerFile | None:
    """The file an attachment names, or None for a "chat id:message id" copy."""
    if not attachment.startswith(FILE_PREFIX):
        return None
    fields = dict(parse_qsl(attachment[len(FILE_PREFIX) :], keep_blank_values=True))
    if not fields.get("kind") or not fields.get("id"):
        return None
    size = fields.get("size", "0")
    return ManagerFile(
        fields["kind"],
        fields["id"],
        int(size) if size.isdigit() else 0,
        fields.get("mime", ""),
        fields.get("name", ""),
        fields.get("source", ""),
    )


def whatsapp_limit(file: ManagerFile) -> int | None:
    """The limit a manager's file is over on its way to WhatsApp (download, then upload)."""
    kind = WHATSAPP_TYPE.get(file.kind)
    limit = min(TELEGRAM_DOWNLOAD, WHATSAPP_LIMITS[kind]) if kind else TELEGRAM_DOWNLOAD
    return limit if file.size > limit else None


def megabytes(size: int) -> str:
    """A size as managers read it: "12.5"."""
    return f"{size / MB:.1f}".removesuffix(".0")
