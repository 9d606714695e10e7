"""A local OpenAI-compatible chat-completions server with switchable behaviours, for tests."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

Content = str | Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Reply:
    """How the server answers one request."""

    status: int = 200
    content: Content = '{"intent": "thanks"}'
    finish_reason: str = "stop"
    refusal: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str = "error"
    hang: bool = False
    delay: float = 0.0  # seconds to wait before answering


VALID = Reply()
INVALID_JSON = Reply(content='{intent: "thanks",')
UNKNOWN_LABEL = Reply(content='{"intent": "mark_order_paid"}')
FENCED = Reply(content='Here you go:\n```json\n{"intent": "ask_delivery"}\n```')
BARE_LABEL = Reply(content="Intent: thanks.")
REFUSAL = Reply(content="I'm sorry, but I can't help with that request.")
REFUSAL_FIELD = Reply(content="", refusal="I can't assist with that.")
TRUNCATED = Reply(content='{"intent": "tha', finish_reason="length")
RATE_LIMITED = Reply(status=429, headers={"Retry-After": "0"}, error="Rate limit reached")
RATE_LIMITED_LONG = Reply(status=429, headers={"Retry-After": "30"}, error="Rate limit reached")
SERVER_ERROR = Reply(status=500, error="The server had an error")
UNAUTHORIZED = Reply(status=401, error="Incorrect API key provided")
HANG = Reply(hang=True)
EMPTY = Reply(content="")
CUT_OFF = Reply(content="Анна, здравствуйте! Вы присматривались", finish_reason="length")


def text(content: str) -> Reply:
    """A reply whose content is this plain text (a rewrite)."""
    return Reply(content=content)


BEHAVIOURS: dict[str, Reply] = {
    "valid": VALID,
    "invalid_json": INVALID_JSON,
    "unknown_label": UNKNOWN_LABEL,
    "fenced": FENCED,
    "bare_label": BARE_LABEL,
    "refusal": REFUSAL,
    "refusal_field": REFUSAL_FIELD,
    "truncated": TRUNCATED,
    "rate_limited": RATE_LIMITED,
    "server_error": SERVER_ERROR,
    "unauthorized": UNAUTHORIZED,
    "hang": HANG,
    "empty": EMPTY,
    "cut_off": CUT_OFF,
}


class FakeOpenAI:
    """POST /v1/chat/completions on 127.0.0.1: scripted replies, then the default one.

    `supports` lists the structured-output types the server accepts; a request using another
    one gets the error (status `reject_status`) that servers without that feature answer.
    A server that ignores the format is played by a prose reply such as BARE_LABEL.
    `by_text` answers a given customer message the same way every time, before the script.
    Every request body is kept in `requests`; `most_at_once` is the peak of requests in flight.
    """

    def __init__(self) -> None:
        self.default = VALID
        self.script: deque[Reply] = deque()
        self.by_text: dict[str, Reply] = {}
        self.supports: set[str] = {"json_schema", "json_object"}
        self.reject_status = 400
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.most_at_once = 0
        self._in_flight = 0
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._server = TestServer(app, host="127.0.0.1")

    @property
    def base_url(self) -> str:
        """The base URL a client is given (`.../v1`)."""
        return str(self._server.make_url("/v1"))

    def then(self, *replies: Reply) -> FakeOpenAI:
        """Answer the next requests with these replies, in order."""
        self.script.extend(replies)
        return self

    def formats(self) -> list[str]:
        """The response_format type of each request ("text" when none was sent)."""
        return [r.get("response_format", {}).get("type", "text") for r in self.requests]

    async def start(self) -> None:
        """Listen on a free port."""
        await self._server.start_server()

    async def close(self) -> None:
        """Let hanging handlers go and stop listening."""
        self._release.set()
        await self._server.close()

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        self._in_flight += 1
        self.most_at_once = max(self.most_at_once, self._in_flight)
        try:
            return await self._answer(request)
        finally:
            self._in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        kind = body.get("response_format", {}).get("type", "text")
        if kind != "text" and kind not in self.supports:
            message = f"response_format type '{kind}' is not supported by this server"
            return _error(self.reject_status, message)
        reply = self.by_text.get(customer_text(body))
        if reply is None:
            reply = self.script.popleft() if self.script else self.default
        if reply.hang:
            await self._release.wait()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return _error(reply.status, reply.error, reply.headers)
        content = reply.content(body) if callable(reply.content) else reply.content
        return web.json_response(_completion(body, content, reply))


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
    return web.json_response(body, status=status, headers=headers)


def _completion(body: dict[str, Any], content: str, reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": reply.refusal},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127},
    }


def system_text(body: dict[str, Any]) -> str:
    """The system message of a recorded request."""
    return str(next(m["content"] for m in body["messages"] if m["role"] == "system"))


def user_text(body: dict[str, Any]) -> str:
    """The user message of a recorded request."""
    return str(next(m["content"] for m in body["messages"] if m["role"] == "user"))


def customer_text(body: dict[str, Any]) -> str:
    """The customer's message inside a recorded request (the line after "The customer wrote")."""
    lines = user_text(body).splitlines()
    found = (lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith("The customer"))
    return next(found, "")


def label(intent: str) -> Reply:
    """A valid answer naming this intent."""
    return Reply(content=as_json({"intent": intent}))


def as_json(value: object) -> str:
    """A reply content that is this value as JSON."""
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def serve_in_thread() -> Iterator[FakeOpenAI]:
    """A fake server on its own event loop in a thread, for commands that run their own loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> FakeOpenAI:
        server = FakeOpenAI()
        await server.start()
        return server

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
