"""`chatbot run`: the messenger channels, the HTTP endpoints, the scheduler and the outbox."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys

from chatbot.channels.port import Channel
from chatbot.channels.telegram import telegram_channel_from
from chatbot.channels.whatsapp import whatsapp_channel_from
from chatbot.config import Settings
from chatbot.core.clock import SystemClock
from chatbot.core.outbox_messages import CRM, MANAGERS
from chatbot.errors import ConfigError, FlowError
from chatbot.managers.setup import attach_managers, share_media, weekly_digest
from chatbot.ports.outbound import MessageSender
from chatbot.service.app import open_app
from chatbot.service.crm_webhooks import crm_sender_from
from chatbot.service.heap import freeze_start_up_heap
from chatbot.service.runtime import Runtime
from chatbot.service.shutdown import Shutdown


def register(p: argparse.ArgumentParser) -> None:
    """Add the `run` arguments."""
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM, then shut down gracefully."""
    code = asyncio.run(serve(Settings()))
    # Everything is closed: spare the interpreter's exit a garbage collection of every object
    # (about a second on a loaded machine, counted against the shutdown's deadline).
    gc.freeze()
    return code


async def serve(settings: Settings) -> int:
    """Start everything the settings configure; refuse bad configuration with its reason."""
    try:
        # Before anything else, so a webhook without its secret stops start-up at once.
        telegram = telegram_channel_from(settings)
        crm = crm_sender_from(settings)
    except ConfigError as exc:
        # A setting problem, as `chatbot` reports the others: one line and exit 2 (systemd
        # does not restart a unit on it, see docs/operators.md)
        print(f"chatbot: refusing to start: {exc}", file=sys.stderr)
        return 2
    try:
        app = await open_app(settings, SystemClock())
    except BaseException as exc:
        # Start-up stopped: close what was opened. `chatbot` reports a database or flows folder
        # that is wrong (ConfigError, StorageError) in one line; invalid flows are listed here.
        if telegram is not None:
            await telegram.close()
        if crm is not None:
            await crm.close()
        if not isinstance(exc, FlowError):
            raise
        print(f"chatbot: refusing to start: the admin files are invalid:\n{exc}", file=sys.stderr)
        return 1
    whatsapp = whatsapp_channel_from(settings, lang=app.flows.shop.default_lang)
    channels: list[Channel] = [c for c in (telegram, whatsapp) if c is not None]
    senders: dict[str, MessageSender] = {CRM: crm} if crm is not None else {}
    managers = attach_managers(settings, telegram, app) if telegram is not None else None
    graph = None
    loops = []
    if managers is not None:
        senders[MANAGERS] = managers
        graph = share_media(settings, managers, whatsapp)
        loops.append(weekly_digest(managers, app).run_forever)
    elif settings.managers_chat_id is not None:
        print(
            "MANAGERS_CHAT_ID needs TELEGRAM_BOT_TOKEN: task cards stay unposted", file=sys.stderr
        )
    runtime = Runtime(app, senders=senders, channels=channels, loops=loops)
    shutdown = Shutdown(settings.shutdown_timeout_seconds)
    loop = asyncio.get_running_loop()
    shutdown.install(loop)
    reloads: set[asyncio.Task[bool]] = set()

    def reload() -> None:
        task = loop.create_task(runtime.reload())
        reloads.add(task)  # keep a reference until it is done
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)
    names = ", ".join(c.name for c in channels) or "no messenger channel"
    print(f"serving {names} on http://{settings.http_host}:{settings.http_port}", file=sys.stderr)
    freeze_start_up_heap()  # full collections walk only what the bot creates from now on
    try:
        await runtime.serve(shutdown.stop, settings.http_host, settings.http_port, shutdown)
    finally:
        closing = [c.close() for c in (telegram, whatsapp, crm, graph) if c is not None]
        try:
            # Everything acknowledged is committed already; what may still wait in the writer's
            # queue is bookkeeping (a send recorded), which the deadline may cut.
            async with asyncio.timeout(max(shutdown.close_left(), 0.2)):
                await asyncio.gather(*closing)
                await app.close()
        except TimeoutError:
            shutdown.cut.append("closing the database")
        shutdown.finished()
    return 0
