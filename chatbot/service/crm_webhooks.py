"""Outbound webhooks to the shop's CRM: signed JSON posts, retried by the outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import aiohttp

from chatbot.config import Settings
from chatbot.core.retry_after import MAX_RETRY_AFTER_SECONDS, retry_after_seconds
from chatbot.errors import ConfigError
from chatbot.ports.outbound import OutgoingMessage, SendFailed
from chatbot.service.crm_notices import CRM_EVENTS

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Chatbot-Signature-256"
EVENT_ID_HEADER = "X-Chatbot-Event-Id"
MIN_SECRET_LENGTH = 16
TIMEOUT_SECONDS = 5.0


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of the raw body, as WhatsApp signs its own."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def body_of(message: OutgoingMessage) -> bytes:
    """The posted JSON: the event with its id (the same on every retry, for the CRM's dedupe)."""
    document = {"id": message.idempotency_key, **message.body.to_payload()}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class CrmWebhookSender:
    """Posts CRM notices; 2xx is delivered, 4xx is final, anything else is retried later.

    A CRM can be down for a while: the outbox retries a notice for OUTBOX_RETRY_WINDOW_SECONDS
    (an hour by default) before giving it up, like every other outbox row.
    """

    def __init__(self, url: str, secret: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = url
        self._secret = secret.encode()
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, message: OutgoingMessage) -> None:
        """Post one notice or raise SendFailed."""
        body = body_of(message)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            EVENT_ID_HEADER: message.idempotency_key,
        }
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(self.url, data=body, headers=headers) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendFailed(f"crm unreachable: {type(exc).__name__}") from exc
        if 200 <= status < 300:
            return
        if status == 429:
            raise SendFailed(
                "crm rate limit",
                retry_after=retry_after_seconds(retry_after, None, MAX_RETRY_AFTER_SECONDS),
            )
        if status == 408 or status >= 500:
            raise SendFailed(f"crm answered {status}")
        # Any other 4xx will not change on retry: the CRM refuses this notice.
        raise SendFailed(f"crm refused the notice with {status}", final=True)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()


def crm_sender_from(settings: Settings) -> CrmWebhookSender | None:
    """The sender the settings configure; ConfigError on a URL without a strong secret."""
    if not settings.crm_webhook_url:
        return None
    if not settings.crm_webhook_url.startswith(("https://", "http://")):
        raise ConfigError("CRM_WEBHOOK_URL must start with https:// (or http:// on a local net)")
    secret = settings.crm_webhook_secret.get_secret_value() if settings.crm_webhook_secret else ""
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"CRM_WEBHOOK_SECRET must be set to at least {MIN_SECRET_LENGTH} characters when "
            "CRM_WEBHOOK_URL is set: the CRM checks the signature with it"
        )
    unknown = sorted(settings.crm_events - set(CRM_EVENTS))
    if unknown:
        raise ConfigError(
            f"CRM_WEBHOOK_EVENTS has unknown events {', '.join(unknown)}; "
            f"use any of {', '.join(CRM_EVENTS)}"
        )
    return CrmWebhookSender(settings.crm_webhook_url, secret)
