"""The WhatsApp Cloud API channel: the verification handshake, signed webhooks, the sender.

Built on the Graph API over aiohttp rather than pywa. Checked: pywa 4.5.0 (PyPI, MIT, well
kept) needs httpx (a second HTTP stack beside the aiohttp that aiogram and our server use) and
serves webhooks only through its FastAPI, Flask and Starlette extras, not aiohttp. Its handler
model dispatches updates to callbacks, while we must answer 200 only after every message of a
body is committed and 500 otherwise, and must see whole batches; we would bypass both its
server and its dispatch and keep only its models. What we need of the API is one endpoint
(`/messages`) and a few payload shapes, which are below with real payloads as test fixtures.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Final

from aiohttp import web
from pydantic import SecretStr

from chatbot.channels.whatsapp_sender import UNDELIVERABLE, WhatsAppSender
from chatbot.channels.whatsapp_webhook import (
    CHANNEL,
    Notification,
    StatusUpdate,
    read_notification,
    signature_valid,
)
from chatbot.concurrency.chats import each_chat_in_order
from chatbot.config import Settings
from chatbot.core.events import Blocked
from chatbot.core.json_body import BodyRefused, read_json
from chatbot.core.phones import normalize_phone
from chatbot.errors import ConfigError
from chatbot.ports.inbound import CustomerInfo, Inbound, InboundHandler

log = logging.getLogger(__name__)
WEBHOOK_PATH: Final = "/whatsapp/webhook"
SIGNATURE_HEADER: Final = "X-Hub-Signature-256"
# How far a message got; a status never moves a message back (webhooks arrive out of order).
STATUS_RANK: Final = {"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5}


class StatusBook:
    """The furthest delivery status per message id (in memory, the most recent ones).

    Memory is enough: statuses only inform, and the one that changes a dialog (131026) becomes
    a Blocked event that the pipeline commits; a restart at worst hands that event again.
    """

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._status: OrderedDict[str, str] = OrderedDict()

    def get(self, wamid: str) -> str | None:
        """The furthest status seen for a message, if any."""
        return self._status.get(wamid)

    def advances(self, wamid: str, status: str) -> bool:
        """Whether `status` is further than what the message already reached."""
        rank = STATUS_RANK.get(status)
        current = self._status.get(wamid)
        return rank is not None and (current is None or rank > STATUS_RANK[current])

    def record(self, wamid: str, status: str) -> None:
        """Remember `status` if it is further (never goes backwards)."""
        if self.advances(wamid, status):
            self._status[wamid] = status
        if wamid in self._status:
            self._status.move_to_end(wamid)
            if len(self._status) > self.size:
                self._status.popitem(last=False)


class WhatsAppChannel:
    """Customers in WhatsApp: signed webhooks in, outbox messages out through the Graph API."""

    name = CHANNEL

    def __init__(self, sender: WhatsAppSender, app_secret: str, verify_token: str) -> None:
        if not app_secret or not verify_token:
            raise ConfigError("the WhatsApp channel needs an app secret and a verify token")
        self._sender = sender
        self._app_secret = app_secret.encode()
        self._verify_token = verify_token.encode()
        self.statuses = StatusBook()
        self._handle: InboundHandler | None = None

    def sender(self) -> WhatsAppSender:
        """Delivers outbox rows of the whatsapp channel."""
        return self._sender

    def routes(self) -> Sequence[web.RouteDef]:
        """`GET /whatsapp/webhook` (verification) and `POST /whatsapp/webhook` (notifications)."""
        return [web.get(WEBHOOK_PATH, self.verify), web.post(WEBHOOK_PATH, self.webhook)]

    def not_ready(self) -> str | None:
        """Always ready once configured: Meta calls the webhook, nothing to connect to first."""
        return None

    async def run(self, handle: InboundHandler, stop: asyncio.Event) -> None:
        """Accept webhooks until `stop` is set (Meta pushes; there is nothing to poll)."""
        self._handle = handle
        log.info("whatsapp.started")
        await stop.wait()
        log.info("whatsapp.stopped")

    async def close(self) -> None:
        """Close the sender's HTTP session (after the runtime stopped)."""
        await self._sender.close()

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription handshake: echo `hub.challenge` when the verify token matches."""
        query = request.query
        given = query.get("hub.verify_token", "").encode("utf-8", "replace")
        token_ok = hmac.compare_digest(given, self._verify_token)
        if query.get("hub.mode") != "subscribe" or not token_ok:
            log.warning("whatsapp.verify_forbidden", extra={"remote": request.remote})
            return web.Response(status=403, text="wrong verify token or mode")
        challenge = query.get("hub.challenge")
        if not challenge:
            return web.Response(status=400, text="hub.challenge is missing")
        log.info("whatsapp.verified")
        return web.Response(text=challenge)

    async def webhook(self, request: web.Request) -> web.Response:
        """A notification: 401/403 unsigned, 400 not JSON, 200 once all is committed, else 500."""
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            log.warning("whatsapp.webhook_unsigned", extra={"remote": request.remote})
            return web.json_response({"error": f"{SIGNATURE_HEADER} is missing"}, status=401)
        if not signature_valid(self._app_secret, body, header):
            log.warning("whatsapp.webhook_bad_signature", extra={"remote": request.remote})
            return web.json_response({"error": f"{SIGNATURE_HEADER} does not match"}, status=403)
        try:
            data = read_json(body)
        except BodyRefused as exc:
            log.warning("whatsapp.webhook_malformed", extra={"reason": exc.reason[:80]})
            return web.json_response({"error": exc.reason}, status=400)
        if not isinstance(data, dict):
            log.warning("whatsapp.webhook_malformed", extra={"reason": "not an object"})
            return web.json_response({"error": "body is not a JSON object"}, status=400)
        if self._handle is None:
            return web.json_response({"error": "starting"}, status=503)
        if not await self.process(read_notification(data), self._handle):
            # Meta delivers the whole body again; what was committed comes back as duplicates.
            return web.json_response({"error": "not processed"}, status=500)
        return web.json_response({})

    async def process(self, note: Notification, handle: InboundHandler) -> bool:
        """Hand a body's events to the pipeline, chats in parallel and each chat in order."""
        items: list[Inbound | StatusUpdate] = [*note.inbound, *self._blocking(note.statuses)]
        run_chat = partial(self._chain, handle=handle)
        return all(await each_chat_in_order(items, lambda item: item.chat_id, run_chat))

    def _blocking(self, statuses: Iterable[StatusUpdate]) -> Iterable[StatusUpdate]:
        """Apply statuses; yield the failures that mean the customer cannot be reached."""
        for status in statuses:
            before = self.statuses.get(status.wamid)
            if not self.statuses.advances(status.wamid, status.status):
                log.debug(
                    "whatsapp.status_ignored", extra={"status": status.status, "reached": before}
                )
                continue
            if status.status == "failed" and UNDELIVERABLE in status.error_codes:
                yield status  # recorded only once the Blocked event is committed
                continue
            self.statuses.record(status.wamid, status.status)
            if status.status == "failed":
                log.warning("whatsapp.delivery_failed", extra={"codes": status.error_codes})
            else:
                log.debug("whatsapp.status", extra={"status": status.status})

    async def _chain(self, chain: Iterable[Inbound | StatusUpdate], handle: InboundHandler) -> bool:
        """Each item on its own commit: one that fails is logged and the others still go in.

        Stopping at a failure would let one message that fails every time (poison) hold back
        the rest of its chat forever. The body is answered 500 when any item failed: Meta
        delivers it again, the committed items come back as duplicates (their unique keys make
        that harmless) and only the failed ones are tried again, later than their successors.
        """
        handled = True
        for item in chain:
            inbound = item if isinstance(item, Inbound) else _blocked(item)
            try:
                await handle(inbound)
            except Exception:  # any pipeline failure: this item waits for the redelivery
                kind = type(inbound.payload).__name__
                log.exception(
                    "whatsapp.handle_failed",
                    extra={"kind": kind, "external_id": inbound.external_id},
                )
                handled = False
                continue
            if isinstance(item, StatusUpdate):
                self.statuses.record(item.wamid, item.status)
                log.info("whatsapp.undeliverable", extra={"codes": item.error_codes})
        return handled


def _blocked(status: StatusUpdate) -> Inbound:
    """Error 131026: the customer cannot receive our messages (blocked us, no WhatsApp, ...)."""
    phone = normalize_phone(status.chat_id) if status.chat_id.isdigit() else None
    return Inbound(
        CHANNEL,
        status.chat_id,
        Blocked(reason="undeliverable"),
        f"failed:{status.wamid}",
        CustomerInfo(phone=phone),
    )


def whatsapp_channel_from(settings: Settings, lang: str = "ru") -> WhatsAppChannel | None:
    """The channel configured by settings; None unless all four WhatsApp settings are set."""
    given = {
        "WHATSAPP_TOKEN": _secret(settings.whatsapp_token),
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id or "",
        "WHATSAPP_APP_SECRET": _secret(settings.whatsapp_app_secret),
        "WHATSAPP_VERIFY_TOKEN": _secret(settings.whatsapp_verify_token),
    }
    missing = [name for name, value in given.items() if not value]
    if missing:
        if len(missing) < len(given):
            # Half a configuration is a mistake worth seeing; names only, never the values.
            log.warning("whatsapp.not_configured", extra={"missing": ",".join(missing)})
        return None
    token, phone_id, secret, verify = given.values()
    sender = WhatsAppSender(settings.whatsapp_api_base, phone_id, token, lang)
    return WhatsAppChannel(sender, secret, verify)


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
