"""`chatbot run`: serve the HTTP endpoints and run the scheduler and the outbox sender."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from chatbot.config import Settings
from chatbot.core.clock import SystemClock
from chatbot.errors import FlowError
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` parser."""
    p = subparsers.add_parser("run", help="serve /api/events, /healthz, /metrics and run timers")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM, then shut down gracefully."""
    return asyncio.run(_serve(Settings()))


async def _serve(settings: Settings) -> int:
    try:
        app = await open_app(settings, SystemClock())
    except FlowError as exc:
        print(f"refusing to start: the admin files are invalid:\n{exc}", file=sys.stderr)
        return 1
    runtime = Runtime(app, senders={})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"serving on http://{settings.http_host}:{settings.http_port}", file=sys.stderr)
    try:
        await runtime.serve(stop, settings.http_host, settings.http_port)
    finally:
        await app.close()
    return 0
