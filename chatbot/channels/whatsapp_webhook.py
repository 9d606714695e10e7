"""WhatsApp Cloud API webhook bodies: the signature check and the payload to Inbound events.

Every piece of a body (entry, change, message, status) is validated on its own, so one piece
we cannot read is logged and skipped without losing the others of the same batch.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Final, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from chatbot.core.media import Media
from chatbot.core.phones import normalize_phone
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText

log = logging.getLogger(__name__)
CHANNEL: Final = "whatsapp"
SIGNATURE_PREFIX: Final = "sha256="
_MEDIA: Final = ("image", "audio", "video", "document", "sticker")
# The widths of the columns these values are stored in (PostgreSQL refuses longer ones, so such
# a message would fail on every redelivery): longer ids make the message unreadable, longer
# names are cut.
ID_CHARS: Final = 120  # messages.external_id is 128, "failed:" + a status id must fit too
SENDER_CHARS: Final = 32  # a wa_id is a phone number in digits
NAME_CHARS: Final = 200


def signature_valid(app_secret: bytes, body: bytes, header: str) -> bool:
    """Whether `header` is "sha256=" + HMAC-SHA256(app secret, raw body), in constant time."""
    expected = SIGNATURE_PREFIX + hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode("utf-8", "replace"))


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


_M = TypeVar("_M", bound=_Model)


class _Profile(_Model):
    name: Annotated[str, AfterValidator(lambda name: name[:NAME_CHARS])] = ""


class _Contact(_Model):
    wa_id: str
    profile: _Profile = _Profile()


class _Text(_Model):
    body: str


class _Reply(_Model):
    id: str
    title: str


class _Interactive(_Model):
    type: str = ""
    button_reply: _Reply | None = None
    list_reply: _Reply | None = None


class _Button(_Model):
    text: str
    payload: str | None = None


class _Media(_Model):
    id: str = ""
    caption: str | None = None
    voice: bool = False
    mime_type: str = ""
    filename: str = ""


class _CardName(_Model):
    formatted_name: str = ""


class _CardPhone(_Model):
    phone: str = ""


class _Card(_Model):
    name: _CardName = _CardName()
    phones: list[_CardPhone] = []


class _Order(_Model):
    product_items: list[dict[str, Any]] = []


class _Message(_Model):
    id: str = Field(min_length=1, max_length=ID_CHARS)
    sender: str = Field(alias="from", max_length=SENDER_CHARS)
    type: str
    text: _Text | None = None
    interactive: _Interactive | None = None
    button: _Button | None = None
    image: _Media | None = None
    audio: _Media | None = None
    video: _Media | None = None
    document: _Media | None = None
    sticker: _Media | None = None
    location: dict[str, Any] | None = None
    contacts: list[_Card] | None = None
    order: _Order | None = None


class _Error(_Model):
    code: int


class _Status(_Model):
    id: str = Field(min_length=1, max_length=ID_CHARS)
    status: str
    recipient_id: str = Field(max_length=SENDER_CHARS)
    errors: list[_Error] = []


class _Value(_Model):
    contacts: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []


class _Change(_Model):
    field: str = ""
    value: dict[str, Any] = {}


class _Entry(_Model):
    changes: list[dict[str, Any]] = []


class _Body(_Model):
    object: str = ""
    entry: list[dict[str, Any]] = []


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery status of a message we sent: sent, delivered, read, played or failed."""

    wamid: str
    status: str
    chat_id: str
    error_codes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Notification:
    """What one webhook body carries, in body order; unreadable parts were logged and skipped."""

    inbound: tuple[Inbound, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()


def read_notification(data: Any) -> Notification:
    """Messages and statuses of a webhook body (batched: several entries, changes and items)."""
    body = _parse(_Body, data, "body")
    if body is None:
        return Notification()
    if body.object != "whatsapp_business_account":
        _skip("object", body.object or "missing")
        return Notification()
    inbound: list[Inbound] = []
    statuses: list[StatusUpdate] = []
    for raw_entry in body.entry:
        entry = _parse(_Entry, raw_entry, "entry")
        for raw_change in entry.changes if entry else ():
            change = _parse(_Change, raw_change, "change")
            if change is None:
                continue
            if change.field != "messages":
                _skip("field", change.field or "missing")
                continue
            value = _parse(_Value, change.value, "value")
            if value is not None:
                inbound.extend(_messages(value))
                statuses.extend(_statuses(value.statuses))
    return Notification(tuple(inbound), tuple(statuses))


def _messages(value: _Value) -> Iterable[Inbound]:
    names = {}
    for raw in value.contacts:
        contact = _parse(_Contact, raw, "contact")
        if contact is not None:
            names[contact.wa_id] = contact.profile.name
    for raw in value.messages:
        message = _parse(_Message, raw, "message")
        if message is None:
            continue
        payload = _payload(message)
        if payload is None:
            _skip("message", message.type)
            continue
        if not message.sender.isdigit():
            # wa_id is the customer's phone number in digits; anything else cannot be a chat.
            _skip("sender", message.type)
            continue
        customer = CustomerInfo(
            name=names.get(message.sender, ""), phone=normalize_phone(message.sender)
        )
        yield Inbound(CHANNEL, message.sender, payload, message.id, customer)


def _payload(message: _Message) -> IncomingText | None:
    """The customer's words (or a label for what they sent); None for what is not a message."""
    kind = message.type
    if kind == "text" and message.text is not None:
        return IncomingText(message.text.body)
    if kind == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        return IncomingText(reply.title, button=reply.id) if reply is not None else None
    if kind == "button" and message.button is not None:
        # A template's quick reply: the payload is ours only if a template was set up with it;
        # an unknown id falls back to the text when the menu is matched.
        return IncomingText(message.button.text, button=message.button.payload)
    if kind in _MEDIA and (media := getattr(message, kind)) is not None:
        label = "[voice]" if kind == "audio" and media.voice else f"[{kind}]"
        text = f"{label} {media.caption}" if media.caption else label
        return IncomingText(text, media=_file(kind, media))
    if kind == "location" and message.location is not None:
        return IncomingText("[location]", media=_place(message.location))
    if kind == "contacts" and message.contacts:
        # A shared card is usually someone else's number (the sender's own is wa_id already),
        # so it goes to the text a manager reads, never to the customer's record.
        cards = [
            " ".join(filter(None, (c.name.formatted_name, *(p.phone for p in c.phones))))
            for c in message.contacts
        ]
        shown = "; ".join(c for c in cards if c)
        first = message.contacts[0]
        phone = next((p.phone for p in first.phones if p.phone), "")
        card = Media("contact", title=first.name.formatted_name, phone=phone)
        return IncomingText(f"[contact] {shown}" if shown else "[contact]", media=card)
    if kind == "order" and message.order is not None:
        return IncomingText(f"[order] {len(message.order.product_items)} items")
    # reaction, edit, revoke (deletion), system, unsupported, request_welcome, ...
    return None


def _file(kind: str, media: _Media) -> Media:
    """A media message as the managers' relay downloads it: by its Graph API media id."""
    ours = {"image": "photo", "audio": "voice" if media.voice else "audio"}.get(kind, kind)
    return Media(ours, media.id, media.caption or "", media.mime_type, media.filename)


def _place(location: dict[str, Any]) -> Media | None:
    """A shared location; None when its coordinates are not numbers."""
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    title = ", ".join(str(location[k]) for k in ("name", "address") if location.get(k))
    return Media("location", latitude=float(latitude), longitude=float(longitude), title=title)


def _statuses(raws: Iterable[dict[str, Any]]) -> Iterable[StatusUpdate]:
    for raw in raws:
        status = _parse(_Status, raw, "status")
        if status is not None:
            codes = tuple(e.code for e in status.errors)
            yield StatusUpdate(status.id, status.status, status.recipient_id, codes)


def _parse(model: type[_M], raw: Any, part: str) -> _M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        # Field locations only: the input itself may hold message text or phone numbers.
        where = sorted({".".join(str(p) for p in e["loc"]) or "." for e in exc.errors()})
        log.warning("whatsapp.unreadable", extra={"part": part, "fields": ",".join(where[:5])})
        return None


def _skip(part: str, kind: str) -> None:
    log.info("whatsapp.skipped", extra={"part": part, "kind": kind})
