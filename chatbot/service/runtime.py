"""The long-running bot: HTTP endpoints, the scheduler and the outbox sender around one pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any

from aiohttp import web

from chatbot.channels.port import Channel
from chatbot.core.events import Blocked
from chatbot.service.app import App
from chatbot.service.envelope import Inbound
from chatbot.service.events_api import EventsApi
from chatbot.service.metrics import CONTENT_TYPE, Metrics
from chatbot.service.outbox import MessageSender, OutboxSender, OutgoingMessage
from chatbot.service.pipeline import Outcome
from chatbot.service.readiness import readiness_problems
from chatbot.service.retries import RetryPolicy

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 10.0


class Runtime:
    """Serves the endpoints of DESIGN.md §3.3 and runs the background loops until stopped."""

    def __init__(
        self,
        app: App,
        senders: Mapping[str, MessageSender] | None = None,
        channels: Sequence[Channel] = (),
        loops: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
    ) -> None:
        """`loops` run beside the scheduler and the sender until stopped (the weekly digest)."""
        self.app = app
        self.loops = tuple(loops)
        self.channels = tuple(channels)
        personaliser = app.personaliser()
        self.metrics = Metrics(app.llm, personaliser)
        all_senders = {c.name: c.sender() for c in self.channels} | dict(senders or {})
        retries = RetryPolicy(timedelta(seconds=app.settings.outbox_retry_window_seconds),
                              app.settings.outbox_max_backoff_seconds)  # fmt: skip
        self.outbox = OutboxSender(app.db, all_senders, app.pipeline.clock, self._blocked,
                                   personaliser, on_skipped=self._skipped,
                                   retries=retries)  # fmt: skip
        token = app.settings.events_api_token
        self.events_api = EventsApi(app.db, token.get_secret_value() if token else None,
                                    self.handle, lambda: self.app.flows.shop.country,
                                    "whatsapp" in all_senders)  # fmt: skip
        self._wake = asyncio.Event()

    async def handle(self, inbound: Inbound) -> Outcome:
        """Run one event through the pipeline, count it, and wake the sender."""
        try:
            outcome = await self.app.pipeline.handle(inbound)
        except Exception:
            self.metrics.errors.labels("pipeline").inc()
            raise
        self.metrics.observe(outcome, inbound.channel)
        self._wake.set()
        return outcome

    async def reload(self) -> bool:
        """Apply edited admin files; invalid ones are refused with every problem logged."""
        result = await asyncio.to_thread(self.app.read_admin_files)
        if not self.app.apply(result):
            self.metrics.errors.labels("reload").inc()
            for problem in result.errors:
                log.error("runtime.reload_refused", extra={"problem": str(problem)})
            log.error("runtime.reload_kept_running_files", extra={"errors": len(result.errors)})
            return False
        log.info("runtime.reloaded", extra={"warnings": len(result.problems)})
        return True

    async def _blocked(self, channel: str, chat_id: str) -> None:
        """A send found the customer unreachable: the dialog gets a bot_blocked event."""
        await self.handle(Inbound(channel, chat_id, Blocked(reason="send_refused")))

    def _skipped(self, message: OutgoingMessage, reason: str) -> None:
        """A message the channel may not send at all (already logged and recorded on its row)."""
        self.metrics.skipped.labels(str(message.payload.get("key") or "manager")).inc()

    def web_app(self) -> web.Application:
        """The aiohttp application with every endpoint."""
        application = web.Application(client_max_size=1024**2)
        application.router.add_post("/api/events", self.events_api.post)
        application.router.add_get("/healthz", self.healthz)
        application.router.add_get("/readyz", self.readyz)
        application.router.add_get("/metrics", self.metrics_endpoint)
        for channel in self.channels:
            application.router.add_routes(channel.routes())
        return application

    async def healthz(self, request: web.Request) -> web.Response:
        """200 while the process serves HTTP: for a supervisor deciding on a restart."""
        return web.json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        """200 when the database, each channel and the outbox work; 503 with the reasons."""
        problems = await readiness_problems(self.app.db, self.channels,
                                            list(self.outbox.senders),
                                            self.app.pipeline.clock.now())  # fmt: skip
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def metrics_endpoint(self, request: web.Request) -> web.Response:
        """Prometheus text exposition."""
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def scheduler_loop(self, stop: asyncio.Event) -> None:
        """Fire due timers until stopped."""
        while not stop.is_set():
            try:
                outcomes = await self.app.scheduler.run_due()
            except Exception:
                log.exception("runtime.scheduler_failed")
                self.metrics.errors.labels("scheduler").inc()
                outcomes = []
            for outcome in outcomes:
                self.metrics.observe(outcome, "timer")
            if outcomes:
                self._wake.set()
            if len(outcomes) < self.app.scheduler.batch:
                await _sleep_or_stop(stop, POLL_SECONDS)

    async def outbox_loop(self, stop: asyncio.Event) -> None:
        """Deliver outbox rows when woken, or every poll interval."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.outbox.deliver_pending()
            except Exception:
                log.exception("runtime.outbox_failed")
                self.metrics.errors.labels("outbox").inc()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)

    async def serve(self, stop: asyncio.Event, host: str, port: int) -> None:
        """Serve until `stop` is set, then finish in-flight requests and close."""
        runner = web.AppRunner(self.web_app(), shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        log.info("runtime.listening", extra={"host": host, "port": port})
        loops = [asyncio.create_task(self.scheduler_loop(stop)),
                 asyncio.create_task(self.outbox_loop(stop))]  # fmt: skip
        loops += [asyncio.create_task(c.run(self.handle, stop)) for c in self.channels]
        loops += [asyncio.create_task(run(stop)) for run in self.loops]
        try:
            await stop.wait()
        finally:
            await runner.cleanup()  # stops accepting, lets in-flight requests finish
            self._wake.set()
            await asyncio.gather(*loops, return_exceptions=True)
            log.info("runtime.stopped")


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
