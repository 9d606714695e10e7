"""A fake Telegram Bot API server on 127.0.0.1 for a real aiogram Bot, with injectable failures."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from aiohttp.test_utils import TestServer

from chatbot.core.clock import Clock

TOKEN = "123456:TEST-token_for-the-fake-api"
UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may upload
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what getFile lets a bot download
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Shop", "username": "shop_test_bot"}


@dataclass(frozen=True)
class Failure:
    """An injected answer: an error status (with retry_after for 429) or a stall first."""

    status: int = 200
    description: str = ""
    retry_after: int | None = None
    stall: float = 0.0
    migrate_to: int | None = None
    hold: bool = False  # accept the request and never answer it
    delivered: bool = False  # with hold: the message reaches the customer before the silence
    reset: bool = False  # drop the connection without an answer


def upgraded_to(chat_id: int) -> Failure:
    """400 with `parameters.migrate_to_chat_id`: the group became a supergroup."""
    return Failure(
        400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to=chat_id
    )


def too_many_requests(retry_after: int = 3) -> Failure:
    """429 with `parameters.retry_after`, as Telegram's flood control answers."""
    return Failure(429, f"Too Many Requests: retry after {retry_after}", retry_after)


PASS = Failure()
"""Answered normally: lets the next injected failure hit a later call."""
BLOCKED = Failure(403, "Forbidden: bot was blocked by the user")
SERVER_ERROR = Failure(502, "Bad Gateway")
RESET = Failure(reset=True)
"""The connection is dropped before any answer (a proxy restarting, a reset)."""


HOLD = Failure(hold=True)
"""Accepted and never answered, and nothing delivered: the request was lost on the way."""
HOLD_AFTER_DELIVERY = Failure(hold=True, delivered=True)
"""The customer gets the message, but the answer never comes back to the sender."""


def stall(seconds: float) -> Failure:
    """Answer normally, but only after `seconds` (or never, if the client gives up first)."""
    return Failure(stall=seconds)


@dataclass
class Call:
    """One request the fake received: method name and decoded parameters."""

    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class FakeBotApi:
    """Serves the Bot API methods the bot uses; records every call."""

    poll_wait_cap: float = 0.5
    calls: list[Call] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    # What getWebhookInfo reports as Telegram's last failed delivery to the webhook.
    webhook_error: str | None = None
    chats: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)
    # Chats getChat and getChatMember answer "chat not found" for (the bot was never in them).
    unknown_chats: set[int] = field(default_factory=set)
    # Messages people posted in chats the bot is in, by chat: what copyMessage can copy.
    posted: dict[int, set[int]] = field(default_factory=dict)
    held: list[Call] = field(default_factory=list)
    # Files people sent, by file id: what getFile and the file download serve.
    files: dict[str, bytes] = field(default_factory=dict)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _closing: asyncio.Event = field(default_factory=asyncio.Event)
    _server: TestServer | None = None
    _outage: tuple[Clock, datetime, Failure] | None = None
    _port: int | None = None

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1 (the same one again after `refuse`)."""
        application = web.Application()
        application.router.add_post("/bot{token}/{method}", self._dispatch)
        application.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._server = TestServer(application, host="127.0.0.1", port=self._port)
        await self._server.start_server()
        self._port = self._server.port
        return self.base

    def outage(self, clock: Clock, until: datetime, failure: Failure = SERVER_ERROR) -> None:
        """Every call gets `failure` (a 502 by default, or RESET) until `clock` reads `until`."""
        self._outage = (clock, until, failure)

    async def refuse(self) -> None:
        """Stop listening: connections are refused until `listen_again`."""
        if self._server is not None:
            await self._server.close()
            self._server = None

    async def listen_again(self) -> None:
        """Listen again on the port `refuse` closed."""
        await self.start()

    @property
    def base(self) -> str:
        """The URL to give TelegramAPIServer.from_base."""
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    def bot(self, timeout: float = 5.0) -> Bot:
        """A real aiogram Bot talking to this server (close its session when done)."""
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base), timeout=timeout)
        return Bot(TOKEN, session=session)

    async def close(self) -> None:
        """Release stalled requests and stop listening."""
        self._closing.set()
        if self._server is not None:
            await self._server.close()

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates under the next update_id (returned)."""
        update = {**update, "update_id": next(self._ids)}
        self._updates.append(update)
        self._arrived.set()
        return int(update["update_id"])

    def fail(self, method: str, *failures: Failure) -> None:
        """The next calls of `method` get these answers, one each, in order."""
        self._failures[method].extend(failures)

    def called(self, method: str) -> list[dict[str, Any]]:
        """Parameters of the successful calls of `method`."""
        return [c.params for c in self.calls if c.method == method and c.status == 200]

    def requested(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of `method`, answered or not."""
        return [c.params for c in self.calls if c.method == method]

    @property
    def pending(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        queued = self._failures.get(method)
        failure = None
        if self._outage is not None and self._outage[0].now() < self._outage[1]:
            failure = self._outage[2]  # queued failures wait for the outage's end
        elif queued:
            failure = queued.popleft()
        if failure is not None and failure.reset:
            assert request.transport is not None
            request.transport.close()
            call.status = 0
            return web.Response(status=500)  # never reaches the client
        if failure is not None and failure.hold:
            return await self._hold(call, failure)
        if failure is not None and failure.stall:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), failure.stall)
        if failure is not None and failure.status != 200:
            call.status = failure.status
            return _error(
                failure.status, failure.description, failure.retry_after, failure.migrate_to
            )
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.status = 404
            return _error(404, "Not Found: method not found")
        result, status = await handler(params)
        call.status = status
        if status != 200:
            return _error(status, str(result))
        return web.json_response({"ok": True, "result": result})

    async def _hold(self, call: Call, failure: Failure) -> web.Response:
        """Keep the request unanswered until the fake closes (status 0: no answer yet)."""
        call.status = 0
        if failure.delivered:
            _, call.status = await getattr(self, f"_m_{call.method}")(call.params)
        self.held.append(call)
        await self._closing.wait()
        return _error(503, "Service Unavailable: the server is closing")

    async def _m_getMe(self, params: dict[str, Any]) -> tuple[Any, int]:
        return BOT_USER, 200

    async def _m_getUpdates(self, params: dict[str, Any]) -> tuple[Any, int]:
        if self.webhook is not None:
            return "Conflict: can't use getUpdates method while webhook is active", 409
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        if not self._updates:
            self._arrived.clear()
            wait = min(float(params.get("timeout") or 0), self.poll_wait_cap)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait_for_update(), wait)
        limit = int(params.get("limit") or 100)
        return self._updates[:limit], 200

    async def _wait_for_update(self) -> None:
        arrived = asyncio.ensure_future(self._arrived.wait())
        closing = asyncio.ensure_future(self._closing.wait())
        await asyncio.wait({arrived, closing}, return_when=asyncio.FIRST_COMPLETED)
        arrived.cancel()
        closing.cancel()

    async def _m_setWebhook(self, params: dict[str, Any]) -> tuple[Any, int]:
        self.webhook = params
        return True, 200

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> tuple[Any, int]:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        if self.webhook is not None:
            info["url"] = self.webhook.get("url", "")
        if self.webhook_error is not None:
            info |= {"last_error_date": 1767225600, "last_error_message": self.webhook_error}
        return info, 200

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> tuple[Any, int]:
        self.webhook = None
        return True, 200

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot has in a chat, oldest first, as they look now (after edits)."""
        return list(self.chats.get(chat_id, {}).values())

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """One message the bot sent, as it looks now."""
        return self.chats[chat_id][message_id]

    def member(self, user_id: int, status: str = "member") -> None:
        """Make a user a member (or creator, left, kicked...) of every group getChatMember asks."""
        self.members[user_id] = status

    async def _m_sendMessage(self, params: dict[str, Any]) -> tuple[Any, int]:
        text = str(params.get("text") or "")
        if not text or len(text.encode("utf-16-le")) // 2 > 4096:
            return "Bad Request: message text is empty or too long", 400
        if params.get("parse_mode") == "HTML" and not _balanced(text):
            return "Bad Request: can't parse entities", 400
        chat_id = int(params["chat_id"])
        chat = _chat(chat_id)
        message = {
            "message_id": next(self._message_ids),
            "date": 1767225600,
            "chat": chat,
            "from": BOT_USER,
            "text": text,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") in self.chats.get(chat_id, {}):
            message["reply_to_message"] = dict(self.chats[chat_id][reply["message_id"]])
        self.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message, 200

    async def _m_sendDocument(self, params: dict[str, Any]) -> tuple[Any, int]:
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))  # the uploaded part
            params["document"] = document
        if not isinstance(document, dict) or not document.get("content"):
            return "Bad Request: there is no document in the request", 400
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": 1767225600,
            "chat": _chat(chat_id),
            "from": BOT_USER,
            "document": {
                "file_id": f"doc-{len(self.calls)}",
                "file_unique_id": f"u-doc-{len(self.calls)}",
                "file_name": document["filename"],
            },
        }
        self.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message, 200

    async def _m_copyMessage(self, params: dict[str, Any]) -> tuple[Any, int]:
        chat_id, source = int(params["chat_id"]), int(params["from_chat_id"])
        if int(params["message_id"]) not in self.posted.get(source, set()):
            return "Bad Request: message to copy not found", 400
        message = {
            "message_id": next(self._message_ids),
            "date": 1767225600,
            "chat": _chat(chat_id),
            "from": BOT_USER,
            "copy_of": (source, int(params["message_id"])),
        }
        if params.get("caption"):
            message["caption"] = params["caption"]
        self._reply_to(message, params)
        self.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return {"message_id": message["message_id"]}, 200

    def _reply_to(self, message: dict[str, Any], params: dict[str, Any]) -> None:
        """Thread a new message under the one it replies to, as Telegram shows it."""
        reply = params.get("reply_parameters")
        chat = self.chats.get(int(params["chat_id"]), {})
        if isinstance(reply, dict) and reply.get("message_id") in chat:
            message["reply_to_message"] = dict(chat[reply["message_id"]])

    async def _m_getFile(self, params: dict[str, Any]) -> tuple[Any, int]:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            return "Bad Request: invalid file_id", 400
        size = len(self.files[file_id])
        if size > DOWNLOAD_LIMIT:
            return "Bad Request: file is too big", 400
        path = f"documents/{file_id}"
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "file_path": path,
        }, 200

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """`GET /file/bot<token>/<file_path>`: the bytes of a file getFile named."""
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        file_id = request.match_info["path"].removeprefix("documents/")
        self.calls.append(Call("download", {"file_id": file_id}))
        if file_id not in self.files:
            return _error(404, "Not Found")
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    async def _m_sendPhoto(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._upload("photo", params)

    async def _m_sendDocument(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._upload("document", params)

    async def _m_sendVideo(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._upload("video", params)

    async def _m_sendVoice(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._upload("voice", params)

    async def _m_sendAudio(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._upload("audio", params)

    async def _m_sendSticker(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._upload("sticker", params)

    async def _m_sendLocation(self, params: dict[str, Any]) -> tuple[Any, int]:
        place = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        return self._post(params, {"location": place}), 200

    async def _m_sendContact(self, params: dict[str, Any]) -> tuple[Any, int]:
        card = {"phone_number": params["phone_number"], "first_name": params["first_name"]}
        return self._post(params, {"contact": card}), 200

    def _upload(self, kind: str, params: dict[str, Any]) -> tuple[Any, int]:
        """A file sent as a multipart upload (or by a file id): kept with the message."""
        given = params.get(kind)
        if isinstance(given, Upload):
            if len(given.data) > UPLOAD_LIMIT:
                return "Request Entity Too Large", 413
            file = {
                "file_id": f"{kind}-{len(self.files)}",
                "file_name": given.filename,
                "data": given.data,
                "content_type": given.content_type,
            }
        elif isinstance(given, str) and given:
            file = {"file_id": given}
        else:
            return f"Bad Request: there is no {kind} in the request", 400
        caption = str(params.get("caption") or "")
        if len(caption) > 1024:
            return "Bad Request: message caption is too long", 400
        if params.get("parse_mode") == "HTML" and not _balanced(caption):
            return "Bad Request: can't parse entities", 400
        content: dict[str, Any] = {kind: file}
        if caption:
            content["caption"] = caption
        return self._post(params, content), 200

    def _post(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": 1767225600,
            "chat": _chat(chat_id),
            "from": BOT_USER,
            **content,
        }
        self._reply_to(message, params)
        self.chats.setdefault(chat_id, {})[message["message_id"]] = message
        # The sender reads only where the message went (the kept one holds the file's bytes).
        return {k: message[k] for k in ("message_id", "date", "chat", "from")}

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> tuple[Any, int]:
        return True, 200

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._edit(params, {"reply_markup": params.get("reply_markup")})

    async def _m_editMessageText(self, params: dict[str, Any]) -> tuple[Any, int]:
        if params.get("parse_mode") == "HTML" and not _balanced(str(params.get("text") or "")):
            return "Bad Request: can't parse entities", 400
        return self._edit(
            params, {"text": params.get("text"), "reply_markup": params.get("reply_markup")}
        )

    def _edit(self, params: dict[str, Any], change: dict[str, Any]) -> tuple[Any, int]:
        """Telegram refuses an edit that changes nothing, and one of a message it lacks."""
        chat_id = int(params.get("chat_id") or 0)
        found = self.chats.get(chat_id, {}).get(int(params.get("message_id") or 0))
        if found is None:
            return "Bad Request: message to edit not found", 400
        markup = change.get("reply_markup") or None
        if markup == {"inline_keyboard": []}:
            markup = None  # an empty keyboard removes the buttons
        edited = {**found, **{k: v for k, v in change.items() if k != "reply_markup"}}
        edited.pop("reply_markup", None)
        if markup is not None:
            edited["reply_markup"] = markup
        if edited == found:
            return (
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content"
            ), 400
        self.chats[chat_id][found["message_id"]] = edited
        return edited, 200

    async def _m_getChat(self, params: dict[str, Any]) -> tuple[Any, int]:
        chat_id = int(params["chat_id"])
        if chat_id in self.unknown_chats:
            return "Bad Request: chat not found", 400
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        full = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
        return _chat(chat_id) | full, 200

    async def _m_getChatMember(self, params: dict[str, Any]) -> tuple[Any, int]:
        if int(params["chat_id"]) in self.unknown_chats:
            return "Bad Request: chat not found", 400
        user_id = int(params["user_id"])
        status = self.members.get(user_id, "left")
        person = {"id": user_id, "is_bot": False, "first_name": "User"}
        extra: dict[str, Any] = {
            "creator": {"is_anonymous": False},
            "kicked": {"until_date": 0},
            "restricted": _MUTED,
        }.get(status, {})
        return {"status": status, "user": person, **extra}, 200


_RIGHTS = (
    "send_audios",
    "send_documents",
    "send_photos",
    "send_videos",
    "send_video_notes",
    "send_voice_notes",
    "send_polls",
    "send_other_messages",
    "add_web_page_previews",
    "react_to_messages",
    "edit_tag",
    "change_info",
    "invite_users",
    "pin_messages",
    "manage_topics",
)
# A member who may not post: what "restricted" answers when an admin muted the bot.
_MUTED: dict[str, Any] = {"is_member": True, "until_date": 0, "can_send_messages": False} | {
    f"can_{right}": False for right in _RIGHTS
}


def _chat(chat_id: int) -> dict[str, Any]:
    """Private chats have positive ids (the user's), groups negative ones."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Customer"}
    return {"id": chat_id, "type": "supergroup", "title": "Managers"}


def _balanced(html: str) -> bool:
    """A rough check of Telegram's HTML: only known tags, each closed, no bare < or &."""
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-z]+)[^>]*>|<|&(?![a-z]+;|#\d+;)", html):
        if match.group(2) is None:
            return False  # a bare < or & that should have been escaped
        closing, tag = match.group(1), match.group(2)
        if tag not in {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}:
            return False
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return False
    return not stack


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


async def _params(request: web.Request) -> dict[str, Any]:
    """aiogram posts form fields with JSON-encoded objects; curl-style JSON bodies work too.

    Files come as parts that a field names with "attach://<part>"; the field gets the Upload.
    """
    if request.content_type == "application/json":
        body: dict[str, Any] = await request.json()
        return body
    form = await request.post()
    params: dict[str, Any] = {}
    parts: dict[str, Upload] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):  # an uploaded file: its name and bytes
            parts[key] = Upload(value.filename, value.content_type, value.file.read())
            params[key] = {"filename": value.filename, "content": parts[key].data}
            continue
        text = str(value)
        params[key] = json.loads(text) if text.startswith(("[", "{")) else text
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = parts.get(value.removeprefix("attach://"), value)
    return params


def _error(
    status: int, description: str, retry_after: int | None = None, migrate_to: int | None = None
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    if migrate_to is not None:
        body["parameters"] = {"migrate_to_chat_id": migrate_to}
    return web.json_response(body, status=status)
