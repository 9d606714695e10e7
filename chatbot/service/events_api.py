"""The CRM events API: `POST /api/events` with a bearer token (DESIGN.md §3.2)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chatbot.core.events import CRM_EVENTS, CrmEvent
from chatbot.core.json_body import BodyRefused, read_json
from chatbot.core.phones import chat_id_of, normalize_phone
from chatbot.db import dialogs
from chatbot.db.database import Database
from chatbot.ports.inbound import CustomerInfo, Inbound
from chatbot.service.pipeline import Outcome
from chatbot.service.script import CHANNELS

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
REQUIRED_DATA: dict[str, tuple[str, ...]] = {
    "order_created": ("order_id", "amount"),
    "order_paid": ("order_id",),
    "order_ready": ("order_id",),
    "order_shipped": ("order_id",),
    "order_delivered": ("order_id",),
    "order_cancelled": ("order_id",),
    "offer_sent": (),
    "missed_call": (),
}
Handler = Callable[[Inbound], Awaitable[Outcome]]


class CustomerRef(BaseModel):
    """Who the event is about: a phone, or a channel and chat id."""

    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(None, min_length=5, max_length=32)
    channel: str | None = None
    chat_id: str | None = Field(None, min_length=1, max_length=64)

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str | None) -> str | None:
        if value is not None and value not in CHANNELS:
            raise ValueError(f"unknown channel; use one of {', '.join(CHANNELS)}")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> CustomerRef:
        if self.phone is None and (self.channel is None or self.chat_id is None):
            raise ValueError('give {"phone": ...} or {"channel": ..., "chat_id": ...}')
        return self


class EventIn(BaseModel):
    """One event as the CRM sends it."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(None, min_length=1, max_length=128)
    type: str
    customer: CustomerRef
    data: dict[str, str | int | float | None] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in CRM_EVENTS:
            raise ValueError(f"unknown event type; use one of {', '.join(CRM_EVENTS)}")
        return value

    @model_validator(mode="after")
    def _fields(self) -> EventIn:
        missing = [f for f in REQUIRED_DATA[self.type] if self.data.get(f) in (None, "")]
        if missing:
            raise ValueError(f"{self.type} needs data fields: {', '.join(missing)}")
        amount = self.data.get("amount")
        if amount is not None and (not isinstance(amount, int | float) or amount <= 0):
            raise ValueError("data.amount must be a positive number")
        url = self.data.get("pay_url")
        if url is not None and not str(url).startswith(("https://", "http://")):
            raise ValueError("data.pay_url must be an http(s) URL")
        return self


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


class EventsApi:
    """Checks, resolves and hands CRM events to the pipeline; bad input changes nothing."""

    def __init__(
        self,
        db: Database,
        token: str | None,
        handle: Handler,
        country: Callable[[], str] = lambda: "RU",
        whatsapp: bool = False,
    ) -> None:
        self.db = db
        self.token = token
        self.handle = handle
        self.country = country  # the shop's, read per event: admin files may be reloaded
        self.whatsapp = whatsapp  # a new number can be reached through an approved template

    async def post(self, request: web.Request) -> web.Response:
        """POST /api/events."""
        if self.token is None:
            return _error(404, "the events API is off: set EVENTS_API_TOKEN to enable it")
        if not self._authorized(request.headers.get("Authorization", "")):
            return _error(401, "missing or wrong bearer token")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, f"the body is larger than {MAX_BODY} bytes")
        try:
            raw = await request.content.read(MAX_BODY + 1)
        except ConnectionError:
            return _error(400, "the body could not be read")
        if len(raw) > MAX_BODY:
            return _error(413, f"the body is larger than {MAX_BODY} bytes")
        try:
            body = read_json(raw)
        except BodyRefused as exc:
            return _error(400, exc.reason)
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        try:
            event = EventIn.model_validate(body)
        except ValidationError as exc:
            problems = [
                f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
            ]
            return _error(422, "the event is invalid", problems=problems)
        target = await self._resolve(event.customer)
        if isinstance(target, web.Response):
            return target
        data = {k: _text(v) for k, v in event.data.items() if v is not None}
        inbound = Inbound(target[0], target[1], CrmEvent(event.type, data), event.id, target[2])
        outcome = await self.handle(inbound)
        log.info("events_api.accepted", extra={"type": event.type, "dup": outcome.duplicate})
        return web.json_response(
            {"status": "duplicate" if outcome.duplicate else "accepted"}, status=202
        )

    def _authorized(self, header: str) -> bool:
        assert self.token is not None
        scheme, _, given = header.partition(" ")
        # compare_digest takes the same time wherever the strings differ
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        )

    async def _resolve(self, ref: CustomerRef) -> tuple[str, str, CustomerInfo] | web.Response:
        """The chat to write to, or the refusal: the bot writes only where it may (DESIGN §4)."""
        if ref.channel not in (None, "whatsapp"):
            assert ref.chat_id is not None
            async with self.db.snapshot() as session:
                known = await dialogs.dialog_exists(session, ref.channel, ref.chat_id)
            if not known:
                return _error(
                    404,
                    f"the {ref.channel} chat {ref.chat_id} never wrote to the bot: "
                    "a bot may only write to chats that wrote first",
                )
            return ref.channel, ref.chat_id, CustomerInfo()
        # A WhatsApp chat id is the number in international digits; a CRM's phone is read the
        # way the shop's country writes numbers ("8 (916) 123-45-67").
        country = self.country()
        phone = (
            normalize_phone(ref.chat_id)
            if ref.channel == "whatsapp"
            else normalize_phone(ref.phone, country)
        )
        if phone is None:
            return _error(
                422,
                "the event is invalid",
                problems=[f"customer: not a phone number (country {country})"],
            )
        async with self.db.snapshot() as session:
            found = await dialogs.find_dialogs_by_phone(session, phone)
            if ref.channel == "whatsapp":
                found = [f for f in found if f[0] == "whatsapp"]
        if found:
            return found[0][0], found[0][1], CustomerInfo(phone=phone)
        if not self.whatsapp:
            return _error(
                404,
                f"no dialog with {phone} yet and WhatsApp is not configured: "
                "the bot cannot write to this customer first",
            )
        # A new number: the dialog opens with an approved template (the window never opened).
        return "whatsapp", chat_id_of(phone), CustomerInfo(phone=phone)


def _text(value: str | int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
