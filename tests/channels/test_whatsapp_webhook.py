"""The WhatsApp webhook: handshake, signatures, batches, dedupe, statuses, acknowledgement."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from chatbot.channels.whatsapp import WhatsAppChannel
from chatbot.channels.whatsapp_sender import WhatsAppSender
from chatbot.channels.whatsapp_webhook import read_notification, signature_valid
from chatbot.core.events import Blocked
from chatbot.core.media import Media
from chatbot.db import dialogs
from chatbot.ports.inbound import CustomerInfo, IncomingText
from chatbot.service.pipeline import Pipeline
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_graph_api import PHONE_NUMBER_ID, TOKEN, FakeGraphApi
from tests.channels.whatsapp_fixtures import VERIFY_TOKEN, Handed, Webhook, serving
from tests.conftest import shared_dir

# The folder's conftest belongs to the Telegram tests; these fixtures are taken by name.
graph, wa_channel, handed, wa_pipeline = fx.graph, fx.wa_channel, fx.handed, fx.wa_pipeline
WA_ID = "79990001122"


def message(wamid: str, text: str, sender: str = WA_ID) -> dict[str, Any]:
    """A text message as the Cloud API sends it."""
    return {
        "from": sender,
        "id": wamid,
        "timestamp": "1749416383",
        "type": "text",
        "text": {"body": text},
    }


def status(wamid: str, state: str, codes: tuple[int, ...] = (), to: str = WA_ID) -> dict[str, Any]:
    """A delivery status of a message we sent."""
    found: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": "1749416390",
        "recipient_id": to,
    }
    if codes:
        found["errors"] = [{"code": c, "title": "error"} for c in codes]
    return found


def body(*values: dict[str, Any]) -> dict[str, Any]:
    """A notification with one entry per value (each value: one `messages` change)."""
    entries = [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                    }
                    | v,
                }
            ],
        }
        for v in values
    ]
    return {"object": "whatsapp_business_account", "entry": entries}


def contacts(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    """The `contacts` list: (wa_id, profile name) pairs."""
    return [{"wa_id": wa_id, "profile": {"name": name}} for wa_id, name in pairs]


# --- the verification handshake -------------------------------------------------------------


async def test_handshake_echoes_the_challenge(wa_channel: WhatsAppChannel, handed: Handed) -> None:
    async with serving(wa_channel, handed) as hook:
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        }
        async with hook.client.get("/whatsapp/webhook", params=query) as resp:
            assert resp.status == 200
            assert await resp.text() == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "тест", "hub.challenge": "1"},
    ],
)
async def test_handshake_refuses_a_wrong_token_or_mode(
    wa_channel: WhatsAppChannel, handed: Handed, query: dict[str, str]
) -> None:
    async with (
        serving(wa_channel, handed) as hook,
        hook.client.get("/whatsapp/webhook", params=query) as resp,
    ):
        assert resp.status == 403
        assert "1" not in await resp.text()


# --- signatures -------------------------------------------------------------------------------


def _vector() -> tuple[dict[str, Any], bytes]:
    folder = shared_dir() / "fixtures" / "whatsapp"
    if not (folder / "signed_body.raw").exists():
        pytest.skip(f"the shared fixtures are not at {folder}")
    vector = json.loads((folder / "signature_test_vector.json").read_text(encoding="utf-8"))
    return vector, (folder / "signed_body.raw").read_bytes()


def test_the_shared_signed_body_verifies_and_a_changed_byte_does_not() -> None:
    vector, raw = _vector()
    secret = vector["app_secret"].encode()
    header = vector["x_hub_signature_256"]
    assert signature_valid(secret, raw, header)
    changed = raw.replace(b"PyWa.", b"PyWa!")
    assert len(changed) == len(raw)
    assert not signature_valid(secret, changed, header)
    assert not signature_valid(b"another secret", raw, header)
    assert not signature_valid(secret, raw, header.upper())
    assert not signature_valid(secret, raw, "sha256=")
    assert not signature_valid(secret, raw, "sha256=ü")


async def test_signed_body_is_processed_and_a_one_byte_change_is_not(graph: FakeGraphApi) -> None:
    vector, raw = _vector()
    channel = WhatsAppChannel(
        WhatsAppSender(graph.base, PHONE_NUMBER_ID, TOKEN), vector["app_secret"], VERIFY_TOKEN
    )
    handed = Handed()
    async with serving(channel, handed) as hook:
        changed = raw.replace(b"Hey there", b"Hey_there")
        assert await hook.post(changed, vector["x_hub_signature_256"]) == (
            403,
            {"error": "X-Hub-Signature-256 does not match"},
        )
        assert handed.inbounds == []
        status_code, _ = await hook.post(raw, vector["x_hub_signature_256"])
        assert status_code == 200
    await channel.close()
    [inbound] = handed.inbounds
    assert inbound.payload == IncomingText("Hey there! I am using PyWa.")
    assert inbound.customer == CustomerInfo(name="PyWa Tests", phone="+972544401243")
    assert inbound.external_id.startswith("wamid.")  # type: ignore[union-attr]


async def test_missing_or_wrong_signature_is_refused_before_parsing(
    wa_channel: WhatsAppChannel, handed: Handed
) -> None:
    async with serving(wa_channel, handed) as hook:
        payload = body({"messages": [message("wamid.1", "Здравствуйте")]})
        assert (await hook.post(payload, signature=None))[0] == 401
        assert (await hook.post(payload, signature="sha256=" + "0" * 64))[0] == 403
        assert (await hook.post(b"not json", signature=None))[0] == 401
        assert (await hook.post(b"not json", signature="sha1=abc"))[0] == 403
    assert handed.inbounds == []


async def test_malformed_json_is_a_400(wa_channel: WhatsAppChannel, handed: Handed) -> None:
    async with serving(wa_channel, handed) as hook:
        assert (await hook.post(b"{not json"))[0] == 400
        assert (await hook.post(b"[1, 2]"))[0] == 400
        assert (await hook.post(b"\xff\xfe"))[0] == 400
    assert handed.inbounds == []


# --- batches and acknowledgement ------------------------------------------------------------


async def test_a_batched_body_hands_every_message_in_order(
    wa_channel: WhatsAppChannel, handed: Handed
) -> None:
    other = "4915112345678"
    first = {
        "contacts": contacts((WA_ID, "Анна"), (other, "Jan")),
        "messages": [
            message("wamid.a1", "Здравствуйте"),
            message("wamid.b1", "Hi", other),
            message("wamid.a2", "Сколько стоит?"),
        ],
        "statuses": [status("wamid.out1", "delivered")],
    }
    second = {"contacts": contacts((WA_ID, "Анна")), "messages": [message("wamid.a3", "Спасибо")]}
    async with serving(wa_channel, handed) as hook:
        assert await hook.post(body(first, second)) == (200, {})
    assert [i.external_id for i in handed.inbounds if i.chat_id == WA_ID] == [
        "wamid.a1",
        "wamid.a2",
        "wamid.a3",
    ]
    assert [i.external_id for i in handed.inbounds if i.chat_id == other] == ["wamid.b1"]
    anna = handed.inbounds[0]
    assert anna.channel == "whatsapp"
    assert anna.customer == CustomerInfo(name="Анна", phone="+79990001122")
    assert wa_channel.statuses.get("wamid.out1") == "delivered"


async def test_a_pipeline_failure_answers_500_and_the_retry_completes(
    wa_channel: WhatsAppChannel, handed: Handed
) -> None:
    payload = body({"messages": [message("wamid.1", "Здравствуйте"), message("wamid.2", "Ещё")]})
    handed.failures = 1
    async with serving(wa_channel, handed) as hook:
        assert await hook.post(payload) == (500, {"error": "not processed"})
        # One failed message never holds back the others, even of the same chat.
        assert [i.external_id for i in handed.inbounds] == ["wamid.2"]
        assert await hook.post(payload) == (200, {})
    # The redelivery hands both again; the pipeline's unique key drops the stored one.
    assert [i.external_id for i in handed.inbounds] == ["wamid.2", "wamid.1", "wamid.2"]


async def test_a_webhook_before_the_channel_runs_is_a_503(wa_channel: WhatsAppChannel) -> None:
    application = web.Application()
    application.router.add_routes(wa_channel.routes())
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:
        status_code, _ = await Webhook(client).post(body({"messages": []}))
    assert status_code == 503


async def test_redelivered_messages_reach_the_pipeline_but_are_stored_once(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline
) -> None:
    outcomes = []

    async def handle(inbound: Any) -> Any:
        outcome = await wa_pipeline.handle(inbound)
        outcomes.append(outcome)
        return outcome

    payload = body(
        {"contacts": contacts((WA_ID, "Анна")), "messages": [message("wamid.same", "Здравствуйте")]}
    )
    async with serving(wa_channel, handle) as hook:
        assert (await hook.post(payload))[0] == 200
        assert (await hook.post(payload))[0] == 200
        double = body({"messages": [message("wamid.twice", "Сколько стоит?")] * 2})
        assert (await hook.post(double))[0] == 200
    assert [o.duplicate for o in outcomes] == [False, True, False, True]
    async with wa_pipeline.db.snapshot() as session:
        rows = (await session.execute(text("SELECT external_id FROM messages"))).all()
    assert sorted(r[0] for r in rows) == ["wamid.same", "wamid.twice"]


# --- statuses ---------------------------------------------------------------------------------


async def test_statuses_never_go_backwards(wa_channel: WhatsAppChannel, handed: Handed) -> None:
    async with serving(wa_channel, handed) as hook:
        for state in ("read", "delivered", "sent"):
            assert (await hook.post(body({"statuses": [status("wamid.o", state)]})))[0] == 200
        assert wa_channel.statuses.get("wamid.o") == "read"
        late = [
            status("wamid.p", "sent"),
            status("wamid.p", "delivered"),
            status("wamid.p", "sent"),
        ]
        assert (await hook.post(body({"statuses": late})))[0] == 200
        assert wa_channel.statuses.get("wamid.p") == "delivered"
        assert (await hook.post(body({"statuses": [status("wamid.p", "warning")]})))[0] == 200
        assert wa_channel.statuses.get("wamid.p") == "delivered"
    assert handed.inbounds == []


async def test_undeliverable_status_becomes_blocked_once(
    wa_channel: WhatsAppChannel, handed: Handed
) -> None:
    failed = body({"statuses": [status("wamid.o", "sent"), status("wamid.o", "failed", (131026,))]})
    other = body({"statuses": [status("wamid.q", "failed", (130472,))]})
    async with serving(wa_channel, handed) as hook:
        assert (await hook.post(failed))[0] == 200
        assert (await hook.post(failed))[0] == 200  # a redelivery: the status did not advance
        assert (await hook.post(other))[0] == 200
    [blocked] = handed.inbounds
    assert blocked.chat_id == WA_ID
    assert blocked.payload == Blocked(reason="undeliverable")
    assert blocked.customer.phone == "+79990001122"
    assert wa_channel.statuses.get("wamid.o") == "failed"
    assert wa_channel.statuses.get("wamid.q") == "failed"


async def test_blocked_that_was_not_committed_is_handed_again(
    wa_channel: WhatsAppChannel, handed: Handed
) -> None:
    failed = body({"statuses": [status("wamid.o", "failed", (131026,))]})
    handed.failures = 1
    async with serving(wa_channel, handed) as hook:
        assert (await hook.post(failed))[0] == 500
        assert wa_channel.statuses.get("wamid.o") is None
        assert (await hook.post(failed))[0] == 200
    assert [type(i.payload) for i in handed.inbounds] == [Blocked]


async def test_undeliverable_closes_the_dialog_in_the_real_pipeline(
    wa_channel: WhatsAppChannel, wa_pipeline: Pipeline
) -> None:
    async with serving(wa_channel, wa_pipeline.handle) as hook:
        assert (await hook.post(body({"messages": [message("wamid.1", "Здравствуйте")]})))[0] == 200
        failed = body({"statuses": [status("wamid.out", "failed", (131026,))]})
        assert (await hook.post(failed))[0] == 200
    dialog = await wa_pipeline.db.read(dialogs.load_dialog, "whatsapp", WA_ID)
    assert dialog is not None
    assert dialog.state.closed
    assert dialog.state.close_reason == "bot_blocked"
    assert "do_not_write" in dialog.state.flags


def test_media_messages_carry_the_media_id_a_place_its_coordinates_a_card_its_phone() -> None:
    items = [
        {"type": "image", "image": {"id": "m1", "mime_type": "image/jpeg", "caption": "вот"}},
        {"type": "audio", "audio": {"id": "m2", "mime_type": "audio/ogg", "voice": True}},
        {"type": "document", "document": {"id": "m3", "filename": "a.pdf"}},
        {
            "type": "location",
            "location": {
                "latitude": 55.7,
                "longitude": 37.6,
                "name": "Дом",
                "address": "Тверская, 1",
            },
        },
        {
            "type": "contacts",
            "contacts": [
                {"name": {"formatted_name": "Борис"}, "phones": [{"phone": "+7 999 000-99-99"}]}
            ],
        },
    ]
    messages = [
        {"from": WA_ID, "id": f"wamid.{i}", "timestamp": "1", **item}
        for i, item in enumerate(items)
    ]
    note = read_notification(body({"messages": messages}))
    got = [
        (i.payload.text, i.payload.media)
        for i in note.inbound
        if isinstance(i.payload, IncomingText)
    ]
    assert got == [
        ("[image] вот", Media("photo", "m1", "вот", "image/jpeg")),
        ("[voice]", Media("voice", "m2", mime="audio/ogg")),
        ("[document]", Media("document", "m3", name="a.pdf")),
        ("[location]", Media("location", latitude=55.7, longitude=37.6, title="Дом, Тверская, 1")),
        (
            "[contact] Борис +7 999 000-99-99",
            Media("contact", title="Борис", phone="+7 999 000-99-99"),
        ),
    ]
