"""Poison input from WhatsApp, on both databases: stored cleaned or refused; a batch goes on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from chatbot.channels.whatsapp import WhatsAppChannel
from chatbot.db.tables import CustomerRow, MessageRow
from chatbot.ports.inbound import Inbound
from chatbot.service.pipeline import Outcome, Pipeline
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_graph_api import PHONE_NUMBER_ID
from tests.channels.whatsapp_fixtures import serving

# The folder's conftest belongs to the Telegram tests; these fixtures are taken by name.
graph, wa_channel, wa_pipeline = fx.graph, fx.wa_channel, fx.wa_pipeline
WA_ID = "79990001122"


def notification(messages: list[dict[str, Any]], name: str = "Анна") -> dict[str, Any]:
    """One entry, one `messages` change, the customer's profile name."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"wa_id": WA_ID, "profile": {"name": name}}],
        "messages": messages,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def text(wamid: str, body: str) -> dict[str, Any]:
    """A customer's text message."""
    return {"from": WA_ID, "id": wamid, "timestamp": "1", "type": "text", "text": {"body": body}}


async def stored(pipeline: Pipeline) -> tuple[list[tuple[str | None, str]], list[str]]:
    """(external id, text) of the customers' messages in order, and the customers' names."""
    async with pipeline.db.snapshot() as session:
        query = select(MessageRow).where(MessageRow.direction == "in").order_by(MessageRow.id)
        messages = [(m.external_id, m.text) for m in (await session.execute(query)).scalars()]
        names = list((await session.execute(select(CustomerRow.name))).scalars())
    return messages, names


async def test_a_poisoned_message_between_two_others_is_stored_cleaned_and_so_are_they(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline
) -> None:
    # The middle one is stored cleaned rather than skipped: the customer did write something,
    # and a manager reading the dialog should see it.
    body = notification(
        [
            text("wamid.1", "Здравствуйте"),
            text("wamid.2", "NUL\x00 и половинка пары \ud83d"),
            text("wamid.3", "Сколько стоит?"),
        ],
        name="Ан\x00на\udfff",
    )
    raw = json.dumps(body).encode()
    assert b"\\u0000" in raw
    assert b"\\ud83d" in raw
    async with serving(wa_channel, wa_pipeline.handle) as hook:
        assert await hook.post(raw) == (200, {})
        assert await hook.post(raw) == (200, {})  # Meta's redelivery: duplicates, no failure
    messages, names = await stored(wa_pipeline)
    assert messages == [
        ("wamid.1", "Здравствуйте"),
        ("wamid.2", "NUL и половинка пары \ufffd"),
        ("wamid.3", "Сколько стоит?"),
    ]
    assert names == ["Анна\ufffd"]


async def test_button_titles_and_captions_are_stored_cleaned(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline
) -> None:
    reply = {
        "from": WA_ID,
        "id": "wamid.b",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {
            "type": "button_reply",
            "button_reply": {"id": "x\x00", "title": "Да\x00\udbff"},
        },
    }
    image = {"id": "m1", "mime_type": "image/jpeg", "caption": "вот\x00 это"}
    photo = {"from": WA_ID, "id": "wamid.p", "timestamp": "2", "type": "image", "image": image}
    template = {
        "from": WA_ID,
        "id": "wamid.t",
        "timestamp": "3",
        "type": "button",
        "button": {"text": "Стоп\x00", "payload": "stop\x00"},
    }
    async with serving(wa_channel, wa_pipeline.handle) as hook:
        assert await hook.post(notification([reply, photo, template])) == (200, {})
    messages, _ = await stored(wa_pipeline)
    assert messages == [
        ("wamid.b", "Да\ufffd"),
        ("wamid.p", "[image] вот это"),
        ("wamid.t", "Стоп"),
    ]


async def test_a_message_that_fails_does_not_hold_back_the_rest_of_its_batch(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    failing = {"wamid.2"}

    async def handle(inbound: Inbound) -> Outcome:
        if inbound.external_id in failing:
            failing.clear()  # fails on the first delivery only, like a database hiccup
            raise RuntimeError("the database went away")
        return await wa_pipeline.handle(inbound)

    body = notification(
        [
            text("wamid.1", "Здравствуйте"),
            text("wamid.2", "Привет"),
            text("wamid.3", "Сколько стоит?"),
        ]
    )
    async with serving(wa_channel, handle) as hook:
        assert await hook.post(body) == (500, {"error": "not processed"})
        assert [m[0] for m in (await stored(wa_pipeline))[0]] == ["wamid.1", "wamid.3"]
        [failure] = [r for r in caplog.records if r.msg == "whatsapp.handle_failed"]
        assert failure.__dict__["external_id"] == "wamid.2"
        # Meta delivers the whole body again: the stored ones are duplicates, the failed one lands.
        assert await hook.post(body) == (200, {})
    messages, _ = await stored(wa_pipeline)
    assert sorted(m[0] for m in messages) == ["wamid.1", "wamid.2", "wamid.3"]


async def test_an_id_too_long_to_store_is_skipped_and_a_long_name_is_cut(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    # Skipped rather than cut: an id cut short could meet another message's id.
    body = notification(
        [
            text("wamid.1", "Здравствуйте"),
            text("wamid." + "x" * 300, "Привет"),
            text("wamid.3", "Сколько стоит?"),
        ],
        name="Я" * 500,
    )
    async with serving(wa_channel, wa_pipeline.handle) as hook:
        assert await hook.post(body) == (200, {})
    messages, names = await stored(wa_pipeline)
    assert [m[0] for m in messages] == ["wamid.1", "wamid.3"]
    assert names == ["Я" * 200]
    [unreadable] = [r for r in caplog.records if r.msg == "whatsapp.unreadable"]
    assert unreadable.__dict__["fields"] == "id"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            b'{"object": "whatsapp_business_account", "entry": '
            + b"[" * 10_000
            + b"]" * 10_000
            + b"}",
            "nested deeper than 64 levels",
        ),
        (
            json.dumps(notification([text("wamid.1", "hi")]))
            .replace('"timestamp": "1"', '"timestamp": ' + "9" * 5000)
            .encode(),
            "number beyond 64 bits",
        ),
    ],
    ids=["nesting-10000", "digits-5000"],
)
async def test_deep_nesting_and_huge_numbers_are_refused_with_400(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline, raw: bytes, reason: str
) -> None:
    async with serving(wa_channel, wa_pipeline.handle) as hook:
        status, answer = await hook.post(raw)
        assert status == 400
        assert reason in answer["error"]
        assert await stored(wa_pipeline) == ([], [])
        assert await hook.post(notification([text("wamid.1", "hi")])) == (200, {})
    assert (await stored(wa_pipeline))[0] == [("wamid.1", "hi")]
