"""Poison input on `POST /api/events`, on both databases: a 400 with the reason, or cleaned."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from chatbot.db.tables import CrmEventRow, DialogRow
from chatbot.service.events_api import EventsApi
from chatbot.service.pipeline import Pipeline

TOKEN = "crm-token"
Post = tuple[aiohttp.ClientSession, str]
ORDER = '{"type": "order_created", "customer": {"phone": "+79990001122"}, "data": {%s}}'


@pytest.fixture
async def post(pipeline: Pipeline) -> AsyncIterator[Post]:
    api = EventsApi(pipeline.db, TOKEN, pipeline.handle, whatsapp=True)
    application = web.Application()
    application.router.add_post("/api/events", api.post)
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield session, str(server.make_url("/api/events"))
    await server.close()


async def _send(post: Post, body: bytes) -> tuple[int, Any]:
    session, url = post
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def _stored(pipeline: Pipeline) -> tuple[list[tuple[str | None, dict[str, Any]]], int]:
    """(external id, data) of the stored CRM events, and how many dialogs there are."""
    async with pipeline.db.snapshot() as session:
        rows = (await session.execute(select(CrmEventRow).order_by(CrmEventRow.id))).scalars()
        events = [(r.external_id, dict(r.data)) for r in rows]
        dialogs = len(list((await session.execute(select(DialogRow.id))).scalars()))
    return events, dialogs


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b'{"type": "missed_call", "customer": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
            "nested deeper than 64 levels",
        ),
        (
            (ORDER % ('"order_id": "A-1", "amount": ' + "9" * 5000)).encode(),
            "number beyond 64 bits",
        ),
        ((ORDER % '"order_id": "A-1", "amount": 1e999').encode(), "too large for a float"),
        ((ORDER % '"order_id": "A-1", "amount": NaN').encode(), "NaN, which is not JSON"),
        (b'{"type": "missed_call", "customer": {"phone": "\xff"}}', "not UTF-8"),
    ],
    ids=["nesting-10000", "digits-5000", "float-overflow", "nan", "not-utf8"],
)
async def test_a_body_beyond_the_limits_is_a_400_that_stores_nothing(
    pipeline: Pipeline, post: Post, body: bytes, reason: str
) -> None:
    status, answer = await _send(post, body)
    assert status == 400
    assert reason in answer["error"]
    assert await _stored(pipeline) == ([], 0)


async def test_nul_and_lone_surrogates_in_fields_are_stored_cleaned(
    pipeline: Pipeline, post: Post
) -> None:
    event = {
        "id": "crm-\x001",
        "type": "order_created",
        "customer": {"phone": "+7999000112\x002"},
        "data": {
            "order_id": "A-\x0017\udc00",
            "amount": 2500,
            "pay_url": "https://pay.example/\ud800",
        },
    }
    body = json.dumps(event).encode()
    assert await _send(post, body) == (202, {"status": "accepted"})
    assert await _send(post, body) == (202, {"status": "duplicate"})  # the same, cleaned again
    events, dialogs = await _stored(pipeline)
    assert events == [
        (
            "crm-1",
            {"order_id": "A-17\ufffd", "amount": "2500", "pay_url": "https://pay.example/\ufffd"},
        )
    ]
    assert dialogs == 1
