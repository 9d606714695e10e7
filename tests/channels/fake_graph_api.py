"""A fake WhatsApp Graph API server on 127.0.0.1: records `/messages` calls, injects errors."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "EAAG-test-token"
PHONE_NUMBER_ID = "106540352242922"


@dataclass(frozen=True)
class GraphError:
    """An injected Graph API error: HTTP status, Meta's error code, optional Retry-After."""

    status: int
    code: int
    message: str = "error"
    retry_after: str | None = None


REENGAGEMENT = GraphError(400, 131047, "Re-engagement message")
UNDELIVERABLE = GraphError(400, 131026, "Message Undeliverable")
THROUGHPUT = GraphError(400, 130429, "Rate limit hit")
PAIR_RATE = GraphError(400, 131056, "(Business Account, Consumer Account) pair rate limit hit")
ACCOUNT_RATE = GraphError(400, 80007, "Rate limit issues")
SERVER_ERROR = GraphError(503, 131016, "Service unavailable")
BAD_PARAMETER = GraphError(400, 100, "Invalid parameter")


MB = 1024 * 1024
UPLOAD_LIMITS = {"image": 5 * MB, "video": 16 * MB, "audio": 16 * MB, "application": 100 * MB}


@dataclass(frozen=True)
class Stored:
    """A media file: its bytes, MIME type and name; `declared` overrides its size."""

    data: bytes
    mime: str
    filename: str = ""
    declared: int | None = None

    @property
    def size(self) -> int:
        """The size the Graph API reports."""
        return self.declared if self.declared is not None else len(self.data)


@dataclass
class Call:
    """One request the fake received."""

    path: str
    authorization: str
    body: dict[str, Any]
    status: int = 200


@dataclass
class FakeGraphApi:
    """Serves `POST /{phone_number_id}/messages` like the Cloud API; records every call."""

    calls: list[Call] = field(default_factory=list)
    # Media: customers' files served by id, what was uploaded, and the requests about them.
    media: dict[str, Stored] = field(default_factory=dict)
    uploads: dict[str, Stored] = field(default_factory=dict)
    media_calls: list[Call] = field(default_factory=list)
    _media_errors: deque[GraphError] = field(default_factory=deque)
    _errors: deque[GraphError] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _server: TestServer | None = None

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; returns the API base URL."""
        application = web.Application()
        application.router.add_post("/v21.0/{phone_number_id}/messages", self._messages)
        application.router.add_post("/v21.0/{phone_number_id}/media", self._upload)
        # One path for both, as in the Graph API: a node id is a phone number or a media file
        application.router.add_get("/v21.0/{node_id}", self._node)
        application.router.add_get("/files/{media_id}", self._media_bytes)
        self._server = TestServer(application, host="127.0.0.1")
        await self._server.start_server()
        return self.base

    @property
    def base(self) -> str:
        """The base URL to give as WHATSAPP_API_BASE."""
        assert self._server is not None
        return str(self._server.make_url("/v21.0"))

    async def close(self) -> None:
        """Stop the server."""
        if self._server is not None:
            await self._server.close()

    async def wait_for(self, count: int, seconds: float = 5.0) -> list[Call]:
        """Wait until `count` calls were received."""
        async with asyncio.timeout(seconds):
            while len(self.calls) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.calls

    def fail_next(self, *errors: GraphError) -> None:
        """Answer the next calls with these errors, in order."""
        self._errors.extend(errors)

    async def _node(self, request: web.Request) -> web.Response:
        """`GET /{id}`: a customer's file when the id is one, else the phone number."""
        if request.match_info["node_id"] in self.media:
            return await self._media_url(request)
        return await self._phone_number(request)

    async def _phone_number(self, request: web.Request) -> web.Response:
        """GET /{phone_number_id}: the number's details, as `chatbot doctor` asks for them."""
        call = Call(request.path, request.headers.get("Authorization", ""), {})
        self.calls.append(call)
        if call.authorization != f"Bearer {TOKEN}":
            call.status = 401
            return _error(GraphError(401, 190, "Invalid OAuth access token"))
        if request.match_info["node_id"] != PHONE_NUMBER_ID:
            call.status = 400
            return _error(GraphError(400, 100, "Unsupported get request"))
        return web.json_response(
            {
                "id": PHONE_NUMBER_ID,
                "display_phone_number": "+1 555 0100",
                "verified_name": "Shop",
                "quality_rating": "GREEN",
            }
        )

    def fail_media_next(self, *errors: GraphError) -> None:
        """Answer the next media requests (URL look-ups, downloads, uploads) with these errors."""
        self._media_errors.extend(errors)

    def _media_call(self, request: web.Request, body: dict[str, Any]) -> web.Response | None:
        """Record a media request; an error answer when it must fail."""
        call = Call(request.path, request.headers.get("Authorization", ""), body)
        self.media_calls.append(call)
        if call.authorization != f"Bearer {TOKEN}":
            call.status = 401
            return _error(GraphError(401, 190, "Invalid OAuth access token"))
        if self._media_errors:
            error = self._media_errors.popleft()
            call.status = error.status
            return _error(error)
        return None

    async def _media_url(self, request: web.Request) -> web.Response:
        """`GET /{media id}`: where to download a customer's file, its type and size."""
        media_id = request.match_info["node_id"]
        failed = self._media_call(request, {"media_id": media_id})
        if failed is not None:
            return failed
        stored = self.media.get(media_id)
        if stored is None:
            return _error(GraphError(404, 100, "Unsupported get request"))
        assert self._server is not None
        url = str(self._server.make_url(f"/files/{media_id}"))
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": url,
                "id": media_id,
                "mime_type": stored.mime,
                "sha256": "0" * 64,
                "file_size": stored.size,
            }
        )

    async def _media_bytes(self, request: web.Request) -> web.Response:
        """The file's bytes, for the same token only (as Meta's lookaside URLs)."""
        media_id = request.match_info["media_id"]
        failed = self._media_call(request, {"download": media_id})
        if failed is not None:
            return failed
        stored = self.media[media_id]
        return web.Response(body=stored.data, content_type=stored.mime)

    async def _upload(self, request: web.Request) -> web.Response:
        """`POST /{phone_number_id}/media`: a multipart upload; answers the new media id."""
        form = await request.post()
        fields = {k: v for k, v in form.items() if not isinstance(v, web.FileField)}
        failed = self._media_call(request, {str(k): str(v) for k, v in fields.items()})
        if failed is not None:
            return failed
        part = form.get("file")
        if fields.get("messaging_product") != "whatsapp" or not isinstance(part, web.FileField):
            return _error(GraphError(400, 100, "Invalid parameter"))
        data = part.file.read()
        mime = str(fields.get("type") or "")
        limit = UPLOAD_LIMITS.get(mime.split("/")[0], UPLOAD_LIMITS["application"])
        if len(data) > limit:
            return _error(GraphError(400, 131053, "Media upload error: file too large"))
        media_id = f"upload-{next(self._ids)}"
        self.uploads[media_id] = Stored(data, mime, part.filename)
        return web.json_response({"id": media_id})

    async def _messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = Call(request.path, request.headers.get("Authorization", ""), body)
        self.calls.append(call)
        self._arrived.set()
        if request.match_info["phone_number_id"] != PHONE_NUMBER_ID:
            call.status = 400
            return _error(GraphError(400, 100, "Unsupported post request"))
        if call.authorization != f"Bearer {TOKEN}":
            call.status = 401
            return _error(GraphError(401, 190, "Invalid OAuth access token"))
        if self._errors:
            error = self._errors.popleft()
            call.status = error.status
            return _error(error)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.fake{next(self._ids)}"}],
            }
        )


def _error(error: GraphError) -> web.Response:
    """Meta's error JSON shape."""
    headers = {"Retry-After": error.retry_after} if error.retry_after else None
    payload = {
        "error": {
            "message": f"({error.code}) {error.message}",
            "type": "OAuthException",
            "code": error.code,
            "error_data": {"messaging_product": "whatsapp", "details": error.message},
            "fbtrace_id": "AbCdEf123",
        }
    }
    return web.json_response(payload, status=error.status, headers=headers)
