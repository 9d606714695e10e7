"""The Telegram channel (aiogram): long polling or a secret-checked webhook, and the sender."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
from collections.abc import Sequence
from functools import partial
from typing import Any, Final

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError
from aiogram.utils.token import TokenValidationError
from aiohttp import web

from chatbot.channels.telegram_sender import TelegramSender
from chatbot.channels.telegram_updates import (
    ALLOWED_UPDATES,
    CHANNEL,
    Incoming,
    RawGetUpdates,
    StaffSide,
    read_update,
)
from chatbot.concurrency.chats import each_chat_in_order
from chatbot.config import Settings
from chatbot.core.json_body import BodyRefused, read_json
from chatbot.core.untrusted import clean_tree
from chatbot.errors import ConfigError
from chatbot.ports.inbound import InboundHandler

log = logging.getLogger(__name__)
WEBHOOK_PATH: Final = "/telegram/webhook"
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
REQUEST_TIMEOUT: Final = 20.0
MAX_BACKOFF: Final = 30.0
_SECRET_FORMAT: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramChannel:
    """Customers in Telegram: updates in (polling or webhook), outbox messages out."""

    name = CHANNEL

    def __init__(
        self,
        bot: Bot,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: int = 25,
        backoff: float = 1.0,
    ) -> None:
        if webhook_url and not webhook_secret:
            raise ConfigError("a Telegram webhook needs a secret token (TELEGRAM_WEBHOOK_SECRET)")
        self.bot = bot
        self.webhook_url = webhook_url or None
        self.webhook_secret = webhook_secret
        self.poll_timeout = poll_timeout
        self.backoff = backoff
        self._sender = TelegramSender(bot)
        self._handle: InboundHandler | None = None
        self.staff: StaffSide | None = None  # set when a managers' chat is configured
        self._problem: str | None = "not connected yet"

    def not_ready(self) -> str | None:
        """Why Telegram is not serving (getMe or polling failing), None while it is."""
        return self._problem

    def sender(self) -> TelegramSender:
        """Delivers outbox rows of the telegram channel."""
        return self._sender

    def routes(self) -> Sequence[web.RouteDef]:
        """`POST /telegram/webhook` in webhook mode; nothing when polling."""
        return [web.post(WEBHOOK_PATH, self.webhook)] if self.webhook_url else []

    async def run(self, handle: InboundHandler, stop: asyncio.Event) -> None:
        """Register the webhook and wait, or poll for updates, until `stop` is set."""
        self._handle = handle
        if not await self._start(stop):
            return
        if self.webhook_url:
            await stop.wait()
        else:
            await self._poll(handle, stop)
        log.info("telegram.stopped")

    async def close(self) -> None:
        """Close the bot's HTTP session (after the runtime stopped)."""
        await self.bot.session.close()

    async def _start(self, stop: asyncio.Event) -> bool:
        """Point Telegram at us (webhook) or away from any old webhook (polling); retry."""
        delay = self.backoff
        while not stop.is_set():
            try:
                me = await self.bot.get_me()
                if self.webhook_url:
                    await self.bot.set_webhook(
                        self.webhook_url,
                        secret_token=self.webhook_secret,
                        allowed_updates=list(ALLOWED_UPDATES),
                    )
                else:
                    # Without this, getUpdates answers 409 while an old webhook is set; pending
                    # updates are kept because they are customers' unanswered messages.
                    await self.bot.delete_webhook(drop_pending_updates=False)
            except AiogramError as exc:
                log.error("telegram.start_failed", extra={"error": _reason(exc), "retry_in": delay})
                self._problem = f"start-up failed: {_reason(exc)}"
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            mode = "webhook" if self.webhook_url else "polling"
            log.info("telegram.started", extra={"bot": me.username, "mode": mode})
            self._problem = None
            return True
        return False

    async def _poll(self, handle: InboundHandler, stop: asyncio.Event) -> None:
        """getUpdates in a loop; the offset moves past an update only once it is committed."""
        offset: int | None = None
        delay = self.backoff
        while not stop.is_set():
            try:
                batch = await self._fetch(offset, stop)
            except Exception as exc:  # Telegram or network trouble: back off, never stop polling
                wait = max(delay, float(getattr(exc, "retry_after", 0) or 0))
                log.warning("telegram.poll_failed", extra={"error": _reason(exc), "retry_in": wait})
                self._problem = f"polling failed: {_reason(exc)}"
                await _sleep_or_stop(stop, wait)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            if batch is None:
                return
            self._problem = None
            # aiogram parsed these: their texts are cleaned here, as read_json does for webhooks
            incoming = [read_update(clean_tree(raw), self.staff) for raw in batch]
            failed = await self._process(incoming, handle)
            ids = [i.update_id for i in incoming if i.update_id is not None]
            if failed is not None:
                # Redeliver from the first update not committed; later ones that were committed
                # come again and are dropped by the pipeline's unique key.
                offset = failed
                log.warning(
                    "telegram.poll_redeliver", extra={"update_id": failed, "retry_in": delay}
                )
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, MAX_BACKOFF)
            else:
                delay = self.backoff
                if ids:
                    offset = max(ids) + 1

    async def _fetch(self, offset: int | None, stop: asyncio.Event) -> list[dict[str, Any]] | None:
        """One long poll, abandoned when `stop` is set (nothing was acknowledged by it)."""
        method = RawGetUpdates(
            offset=offset, timeout=self.poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
        )
        request = asyncio.ensure_future(self.bot(method, request_timeout=self.poll_timeout + 10))
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({request, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not request.done():
                request.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await request
        return None if request.cancelled() else request.result()

    async def _process(self, incoming: list[Incoming], handle: InboundHandler) -> int | None:
        """Handle a batch, chats in parallel and each chat in order; the first failed update id."""
        run_chat = partial(self._chain, handle=handle)
        results = await each_chat_in_order(incoming, _chat_of, run_chat)
        failed = [r for r in results if r is not None]
        return min(failed) if failed else None

    async def _chain(self, chain: list[Incoming], handle: InboundHandler) -> int | None:
        for item in chain:
            if not await _serve(item, handle):
                return item.update_id  # this chat's later updates come again with it
            if item.callback_query_id is not None:
                await self._answer(item.callback_query_id)
        return None

    async def _answer(self, query_id: str) -> None:
        """Stop the button's loading spinner; a failure here loses nothing."""
        try:
            await self.bot.answer_callback_query(query_id)
        except AiogramError as exc:
            log.warning("telegram.callback_answer_failed", extra={"error": _reason(exc)})

    async def webhook(self, request: web.Request) -> web.Response:
        """Accept one update: 403 without the secret, 400 if not JSON, 200 once committed."""
        given = request.headers.get(SECRET_HEADER, "")
        secret = self.webhook_secret or ""
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("telegram.webhook_forbidden", extra={"remote": request.remote})
            return web.json_response({"error": "wrong or missing secret token"}, status=403)
        try:
            data = read_json(await request.read())
        except BodyRefused as exc:
            log.warning("telegram.webhook_malformed", extra={"reason": exc.reason[:80]})
            return web.json_response({"error": exc.reason}, status=400)
        if not isinstance(data, dict):
            log.warning("telegram.webhook_malformed", extra={"reason": "not an object"})
            return web.json_response({"error": "body is not a JSON object"}, status=400)
        if self._handle is None:
            return web.json_response({"error": "starting"}, status=503)
        item = read_update(data, self.staff)
        if not await _serve(item, self._handle):
            return web.json_response({"error": "not processed"}, status=500)  # Telegram resends
        if item.callback_query_id is not None:
            # Answered in the webhook reply itself: no extra request on the hot path.
            return web.json_response(
                {"method": "answerCallbackQuery", "callback_query_id": item.callback_query_id}
            )
        # Updates that were ignored or rejected also get 200: a redelivery would not change them.
        return web.json_response({})


def telegram_channel_from(settings: Settings) -> TelegramChannel | None:
    """The channel configured by settings; None without a token, ConfigError if misconfigured."""
    if settings.telegram_bot_token is None:
        return None
    url = settings.telegram_webhook_url or None
    hidden = settings.telegram_webhook_secret
    secret = hidden.get_secret_value() if hidden else None
    if url and not secret:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: webhook mode "
            "needs a secret token (1-256 characters A-Z a-z 0-9 _ -)"
        )
    if url and secret and not _SECRET_FORMAT.fullmatch(secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters A-Z a-z 0-9 _ - "
            "(Telegram refuses other secret tokens)"
        )
    api = TelegramAPIServer.from_base(settings.telegram_api_base)
    try:
        bot = Bot(
            settings.telegram_bot_token.get_secret_value(),
            session=AiohttpSession(api=api, timeout=REQUEST_TIMEOUT),
        )
    except TokenValidationError:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token "
            "(digits, a colon and letters, as BotFather gives it)"
        ) from None
    return TelegramChannel(bot, url, secret)


async def _serve(item: Incoming, handle: InboundHandler) -> bool:
    """Hand a routed update to the managers' desk or the pipeline; False when that failed."""
    if item.staff is not None:
        try:
            await item.staff(handle)
        except Exception:  # keep the update unacknowledged, as for customers
            log.exception("telegram.staff_failed", extra={"update_id": item.update_id})
            return False
    if item.inbound is not None:
        try:
            await handle(item.inbound)
        except Exception:  # any pipeline failure: keep the update unacknowledged
            log.exception("telegram.handle_failed", extra={"update_id": item.update_id})
            return False
    return True


def _chat_of(item: Incoming) -> str:
    """A customer's chat; the managers' and ignored updates share one chain."""
    return item.inbound.chat_id if item.inbound is not None else ""


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
