"""The long-running bot: HTTP endpoints, the scheduler and the outbox sender around one pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any

from aiohttp import web

from chatbot.channels.port import Channel
from chatbot.core.events import Blocked
from chatbot.core.outbox_messages import CustomerMessage
from chatbot.ports.inbound import Inbound
from chatbot.ports.outbound import MessageSender, OutgoingMessage
from chatbot.service.app import App
from chatbot.service.events_api import EventsApi
from chatbot.service.metrics import CONTENT_TYPE, Metrics
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Outcome
from chatbot.service.readiness import readiness_problems
from chatbot.service.retries import RetryPolicy
from chatbot.service.shutdown import Shutdown, drain

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


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
        retries = RetryPolicy(
            timedelta(seconds=app.settings.outbox_retry_window_seconds),
            app.settings.outbox_max_backoff_seconds,
        )
        self.outbox = OutboxSender(
            app.db,
            all_senders,
            app.pipeline.clock,
            self._blocked,
            personaliser,
            on_skipped=self._skipped,
            retries=retries,
        )
        token = app.settings.events_api_token
        self.events_api = EventsApi(
            app.db,
            token.get_secret_value() if token else None,
            self.handle,
            lambda: self.app.flows.shop.country,
            "whatsapp" in all_senders,
        )
        self._wake = asyncio.Event()
        self._requests: set[asyncio.Task[Any]] = set()  # each request's handler task
        self.requests_cut = 0

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
        body = message.body
        key = body.key if isinstance(body, CustomerMessage) else None
        self.metrics.skipped.labels(key or "manager").inc()

    def web_app(self) -> web.Application:
        """The aiohttp application with every endpoint."""
        application = web.Application(client_max_size=1024**2, middlewares=[self._track_requests])
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
        problems = await readiness_problems(
            self.app.db, self.channels, list(self.outbox.senders), self.app.pipeline.clock.now()
        )
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
                outcomes = await self.app.scheduler.run_due(stop)
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

    @web.middleware
    async def _track_requests(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Keep the requests in flight, for a shutdown to cut off those its deadline finds."""
        task = asyncio.current_task()
        assert task is not None  # aiohttp runs each request's handler in a task of its own
        self._requests.add(task)
        try:
            return await handler(request)
        except asyncio.CancelledError:
            self.requests_cut += 1  # no answer goes out: the sender delivers it again
            raise
        finally:
            self._requests.discard(task)

    async def serve(
        self, stop: asyncio.Event, host: str, port: int, shutdown: Shutdown | None = None
    ) -> None:
        """Serve until `stop` is set, then let in-flight work finish by the shutdown's deadline.

        Once stopped, nothing new starts: no connection is accepted, no update fetched, no
        timer claimed and no message sent. What still runs at the deadline is cancelled; an
        event cut off that way was not acknowledged, so nothing acknowledged is lost.
        """
        shutdown = shutdown if shutdown is not None else Shutdown(stop=stop)
        # The deadline for requests in flight is the drain's, applied below; aiohttp's own
        # (a wait, then a cancel that does not reach a handler waiting on something else, then
        # a wait again) would hold the exit twice as long.
        runner = web.AppRunner(self.web_app(), shutdown_timeout=shutdown.seconds)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        log.info("runtime.listening", extra={"host": host, "port": port})
        work = {
            "scheduler": asyncio.create_task(self.scheduler_loop(stop)),
            "outbox": asyncio.create_task(self.outbox_loop(stop)),
        }
        work |= {c.name: asyncio.create_task(c.run(self.handle, stop)) for c in self.channels}
        work |= {_name(run): asyncio.create_task(run(stop)) for run in self.loops}
        shutdown.running = lambda: self._running(work)
        try:
            await stop.wait()
        finally:
            shutdown.begin()
            self.outbox.stop()
            self._wake.set()
            http = asyncio.create_task(runner.cleanup())  # stops accepting at once
            cut = await drain(work, shutdown.drain_left())
            await asyncio.wait([http], timeout=shutdown.drain_left())
            for request in list(self._requests):
                request.cancel()  # unanswered, so not acknowledged: it is delivered again
            if await drain({"http": http}, (shutdown.drain_left() + shutdown.close_left()) / 2):
                cut.append("the HTTP server")
            if self.requests_cut:
                cut.append(f"{self.requests_cut} HTTP request(s), unanswered")
            shutdown.cut = cut
            log.info("runtime.stopped")

    def _running(self, work: Mapping[str, asyncio.Task[None]]) -> list[str]:
        """What is still running, for a forced exit's log line."""
        running = [name for name, task in work.items() if not task.done()]
        if self._requests:
            running.append(f"{len(self._requests)} HTTP request(s)")
        return running


def _name(run: Callable[..., object]) -> str:
    """A loop's name in the shutdown line (the weekly digest's, say)."""
    owner = getattr(run, "__self__", None)
    return type(owner).__name__ if owner is not None else getattr(run, "__name__", "loop")


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
