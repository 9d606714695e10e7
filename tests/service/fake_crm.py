"""A shop's CRM on 127.0.0.1 that receives webhooks and answers scripted statuses."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass(frozen=True)
class Received:
    """One webhook as the CRM got it."""

    body: bytes
    headers: dict[str, str]


class FakeCrm:
    """POST /hooks: records every request; answers the scripted statuses, then 200."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()
        app = web.Application()
        app.router.add_post("/hooks", self._hook)
        self._server = TestServer(app, host="127.0.0.1")

    @property
    def url(self) -> str:
        """The webhook URL a sender is given."""
        return str(self._server.make_url("/hooks"))

    async def start(self) -> None:
        """Listen on a free port."""
        await self._server.start_server()

    async def close(self) -> None:
        """Stop listening."""
        await self._server.close()

    async def _hook(self, request: web.Request) -> web.Response:
        self.received.append(Received(await request.read(), dict(request.headers)))
        status = self.statuses.popleft() if self.statuses else 200
        headers = {"Retry-After": "30"} if status == 429 else {}
        return web.Response(status=status, headers=headers)
