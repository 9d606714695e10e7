"""Outbox rows to Graph API `/messages` calls: text, reply buttons, lists, templates; errors mapped.

The engine already chose between free text and a template from the 24-hour window (with a
margin), so a row with `template` set is sent as that template and any other row as free text.
Error 131047 (outside the window) can therefore only mean the window closed between planning
and sending: the row is sent once more as its `fallback_template`, or, without one, it is
skipped (recorded, never sent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from chatbot.channels.whatsapp_templates import template_content
from chatbot.core.effects import Button
from chatbot.core.outbox_messages import CustomerMessage
from chatbot.core.retry_after import retry_after_seconds
from chatbot.ports.outbound import OutgoingMessage, SendFailed

if TYPE_CHECKING:
    from chatbot.channels.whatsapp_files import WhatsAppFiles

log = logging.getLogger(__name__)
MAX_TEXT: Final = 4096
MAX_INTERACTIVE_BODY: Final = 1024
MAX_BUTTONS: Final = 3
MAX_BUTTON_TITLE: Final = 20
MAX_ROWS: Final = 10
MAX_ROW_TITLE: Final = 24
MAX_ROW_DESCRIPTION: Final = 72
REQUEST_TIMEOUT: Final = 20.0
MAX_WAIT: Final = 3600.0

REENGAGEMENT: Final = 131047
UNDELIVERABLE: Final = 131026
# Seconds to wait per throughput error (Meta sends no Retry-After): cloud API throughput,
# the one-message-per-6-seconds pair limit, and the account's hourly rate limit.
THROUGHPUT_WAIT: Final = {130429: 2.0, 131056: 6.0, 80007: 60.0, 4: 60.0}
# Meta's "temporary, try again" codes that come with a 4xx status.
TRANSIENT: Final = frozenset({1, 2, 131000, 131016})
LIST_BUTTON: Final = {"ru": "Выбрать", "en": "Choose"}
NO_FALLBACK: Final = "and the text has no template: not sent"


class WhatsAppSender:
    """Delivers outbox rows through `POST {api_base}/{phone_number_id}/messages`."""

    def __init__(self, api_base: str, phone_number_id: str, token: str, lang: str = "ru") -> None:
        self.url = f"{api_base.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.lang = lang
        self._session: aiohttp.ClientSession | None = None
        self.files: WhatsAppFiles | None = None  # managers' files, when Telegram is there too

    async def send(self, message: OutgoingMessage) -> None:
        """Send one outbox row or raise SendFailed."""
        body = message.body
        if not isinstance(body, CustomerMessage):
            raise SendFailed(f"whatsapp cannot send {message.kind!r} rows", final=True)
        if body.copy_of and self.files is not None:
            # A manager's photo or file: uploaded to the Graph API, then sent by its media id.
            await self.files.send(message)
            return
        if body.copy_of:
            # The managers' desk refuses these for WhatsApp customers; a row that got here anyway
            # fails for good instead of sending the caption without its photo.
            raise SendFailed("a Telegram photo or file cannot be copied to WhatsApp", final=True)
        try:
            await self._post(message, content(body, self.lang))
        except SendFailed as exc:
            if not exc.reengagement:
                raise
            fallback = body.fallback_template
            if not fallback or body.template:
                raise SendFailed(f"{exc} {NO_FALLBACK}", skipped=True) from exc
            log.info("whatsapp.window_closed_template", extra={"row": message.idempotency_key})
            await self._post(message, template_content(fallback, self.lang))

    async def _post(self, message: OutgoingMessage, part: Mapping[str, Any]) -> None:
        """One `/messages` call; SendFailed with the mapped error."""
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.chat_id,
            # Echoed in the status webhooks of this message: ties a status to its outbox row.
            "biz_opaque_callback_data": message.idempotency_key,
            **part,
        }
        try:
            async with self._client().post(self.url, json=body, headers=self._headers) as resp:
                if resp.status < 300:
                    return
                answer = await _json(resp)
                raise send_failure(resp.status, answer, resp.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendFailed(f"network: {type(exc).__name__}") from exc

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a session must be made inside the running event loop.
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session


def content(message: CustomerMessage, lang: str = "ru") -> dict[str, Any]:
    """The type-specific part of a `/messages` body for one customer message."""
    if message.template:
        return template_content(message.template, lang)
    text = (message.text or "").strip()
    if not text:
        raise SendFailed("empty message text", final=True)
    buttons = message.buttons
    if buttons and len(text) <= MAX_INTERACTIVE_BODY:
        if len(buttons) <= MAX_BUTTONS:
            return _interactive(text, {"buttons": [_reply(b) for b in buttons]}, "button")
        if len(buttons) <= MAX_ROWS:
            section = {"rows": [_row(b) for b in buttons]}
            action = {"button": LIST_BUTTON.get(lang, LIST_BUTTON["en"]), "sections": [section]}
            return _interactive(text, action, "list")
    if buttons:
        # Too long or too many for WhatsApp's menus: numbered options, which customers answer by
        # typing the number (the menu matcher understands option numbers).
        lines = [f"{i} — {b.label}" for i, b in enumerate(buttons, 1)]
        text = "\n".join([text, "", *lines])
    if len(text) > MAX_TEXT:
        log.warning("whatsapp.text_truncated", extra={"length": len(text)})
        text = text[: MAX_TEXT - 1] + "…"
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def send_failure(status: int, answer: Mapping[str, Any], retry_after: str | None) -> SendFailed:
    """Map a Graph API error answer to the outbox's retry decision."""
    error = answer.get("error")
    error = error if isinstance(error, Mapping) else {}
    code = error.get("code")
    code = code if isinstance(code, int) else None
    reason = f"HTTP {status}, code {code}: {str(error.get('message') or '')[:200]}"
    if code == REENGAGEMENT:
        return SendFailed(f"{reason} (outside the 24h window)", final=True, reengagement=True)
    if code == UNDELIVERABLE:
        return SendFailed(f"{reason} (undeliverable)", blocked=True)
    if code in THROUGHPUT_WAIT or status == 429:
        default = THROUGHPUT_WAIT.get(code or 0, 5.0)
        return SendFailed(
            f"{reason} (throughput)",
            retry_after=retry_after_seconds(retry_after, default, MAX_WAIT),
        )
    if status >= 500 or code in TRANSIENT:
        return SendFailed(reason)
    # A bad request, a bad token or a recipient we may not write to: the same call fails again.
    return SendFailed(reason, final=True)


def _interactive(text: str, action: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": text}, "action": action},
    }


def _reply(button: Button) -> dict[str, Any]:
    title = _cut(str(button.label), MAX_BUTTON_TITLE)
    return {"type": "reply", "reply": {"id": str(button.id), "title": title}}


def _row(button: Button) -> dict[str, Any]:
    label = str(button.label)
    row = {"id": str(button.id), "title": _cut(label, MAX_ROW_TITLE)}
    if len(label) > MAX_ROW_TITLE:
        row["description"] = _cut(label, MAX_ROW_DESCRIPTION)  # the whole label, below the title
    return row


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _json(resp: aiohttp.ClientResponse) -> Mapping[str, Any]:
    try:
        answer = await resp.json(content_type=None)
    except (ValueError, aiohttp.ClientError, TimeoutError):
        return {}
    return answer if isinstance(answer, Mapping) else {}
