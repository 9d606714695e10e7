"""WhatsApp media through the Graph API: download a customer's file, upload one for a message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from chatbot.channels.whatsapp_sender import send_failure
from chatbot.ports.outbound import SendFailed

log = logging.getLogger(__name__)
REQUEST_TIMEOUT: Final = 120.0  # a 100 MB document on a slow line


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A file's bytes and its MIME type."""

    data: bytes
    mime: str


class TooLarge(Exception):
    """A file is over a limit; `size` in bytes."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over {limit}")
        self.size = size
        self.limit = limit


class GraphMedia:
    """`GET /{media id}` then its URL for downloads; `POST /{phone_number_id}/media` uploads."""

    def __init__(self, api_base: str, phone_number_id: str, token: str) -> None:
        self.base = api_base.rstrip("/")
        self.phone_number_id = phone_number_id
        self._headers = {"Authorization": f"Bearer {token}"}
        self._session: aiohttp.ClientSession | None = None

    async def download(self, media_id: str, limit: int) -> Downloaded:
        """The file behind a media id; TooLarge before fetching anything over `limit` bytes."""
        info = await self._json("GET", f"{self.base}/{media_id}")
        url, size = info.get("url"), info.get("file_size")
        if not isinstance(url, str) or not url:
            raise SendFailed(f"the Graph API gave no URL for media {media_id}", final=True)
        if isinstance(size, int) and size > limit:
            raise TooLarge(size, limit)
        try:
            # The URL asks for the same token; it expires after minutes, so it is never stored.
            async with self._client().get(url, headers=self._headers) as resp:
                if resp.status >= 300:
                    raise send_failure(resp.status, await _answer(resp), None)
                data = await resp.content.read(limit + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendFailed(f"network: {type(exc).__name__}") from exc
        if len(data) > limit:
            raise TooLarge(len(data), limit)
        mime = str(info.get("mime_type") or resp.headers.get("Content-Type") or "")
        return Downloaded(data, mime.split(";")[0].strip())

    async def upload(self, data: bytes, mime: str, name: str) -> str:
        """Upload a file for sending; its media id."""
        form = aiohttp.FormData(quote_fields=False)  # file names as they are, in UTF-8
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime)
        form.add_field("file", data, filename=name or "file", content_type=mime)
        answer = await self._json("POST", f"{self.base}/{self.phone_number_id}/media", form)
        media_id = answer.get("id")
        if not isinstance(media_id, str) or not media_id:
            raise SendFailed("the Graph API answered an upload without a media id")
        return media_id

    async def send(self, body: dict[str, Any]) -> None:
        """Post one `/messages` body (a media message by its id)."""
        await self._json("POST", f"{self.base}/{self.phone_number_id}/messages", json=body)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _json(
        self, method: str, url: str, data: Any = None, json: Any = None
    ) -> dict[str, Any]:
        try:
            async with self._client().request(
                method, url, data=data, json=json, headers=self._headers
            ) as resp:
                answer = await _answer(resp)
                if resp.status >= 300:
                    raise send_failure(resp.status, answer, resp.headers.get("Retry-After"))
                return answer
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendFailed(f"network: {type(exc).__name__}") from exc

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a session must be made inside the running event loop.
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session


async def _answer(resp: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        answer = await resp.json(content_type=None)
    except (ValueError, aiohttp.ClientError, TimeoutError):
        return {}
    return answer if isinstance(answer, dict) else {}
