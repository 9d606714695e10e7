"""What a messenger channel provides to the runtime: routes, background work, a sender."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from chatbot.ports.inbound import InboundHandler
from chatbot.ports.outbound import MessageSender


class Channel(Protocol):
    """A messenger adapter: wire payloads to events, outbox rows to wire calls."""

    name: str
    """The channel name used in dialogs and outbox rows (telegram, whatsapp, ...)."""

    def sender(self) -> MessageSender:
        """Delivers this channel's outbox rows."""
        ...

    def routes(self) -> Sequence[web.RouteDef]:
        """HTTP routes (webhooks) to serve; empty when the channel only polls."""
        ...

    def not_ready(self) -> str | None:
        """Why the channel cannot serve customers now (for /readyz), None when it can."""
        ...

    async def run(self, handle: InboundHandler, stop: asyncio.Event) -> None:
        """Background work (polling, start-up registration) until `stop` is set."""
        ...
