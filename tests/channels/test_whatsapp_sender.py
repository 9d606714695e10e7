"""The WhatsApp sender against the fake Graph API: payload shapes and the error mapping."""

from __future__ import annotations

from typing import Any

import pytest

from chatbot.channels.whatsapp import WhatsAppChannel, whatsapp_channel_from
from chatbot.channels.whatsapp_sender import WhatsAppSender
from chatbot.config import Settings
from chatbot.core.outbox_messages import message_from_row
from chatbot.ports.outbound import OutgoingMessage, SendFailed
from tests.channels import fake_graph_api as meta
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_graph_api import FakeGraphApi

# The folder's conftest belongs to the Telegram tests; these fixtures are taken by name.
graph, wa_channel = fx.graph, fx.wa_channel
WA_ID = "79990001122"


def outgoing(**payload: Any) -> OutgoingMessage:
    """A `message` outbox row for the test customer."""
    written = {"buttons": [], "template": None} | payload
    return OutgoingMessage("7:3:0", WA_ID, message_from_row("message", written))


def options(count: int, label: str = "Option") -> list[dict[str, str]]:
    """Menu buttons as the engine writes them."""
    return [{"id": f"opt{i}", "label": f"{label} {i}"} for i in range(1, count + 1)]


async def sent(graph: FakeGraphApi, channel: WhatsAppChannel, message: OutgoingMessage) -> Any:
    """Send through the channel's sender; the body the fake received."""
    await channel.sender().send(message)
    call = graph.calls[-1]
    assert call.path == f"/v21.0/{meta.PHONE_NUMBER_ID}/messages"
    assert call.authorization == f"Bearer {meta.TOKEN}"
    assert call.body["messaging_product"] == "whatsapp"
    assert call.body["to"] == WA_ID
    assert call.body["biz_opaque_callback_data"] == "7:3:0"
    return call.body


async def test_text(graph: FakeGraphApi, wa_channel: WhatsAppChannel) -> None:
    body = await sent(graph, wa_channel, outgoing(text="Здравствуйте! Чем помочь?"))
    assert body["type"] == "text"
    assert body["text"] == {"body": "Здравствуйте! Чем помочь?", "preview_url": False}


async def test_up_to_three_buttons_are_reply_buttons(
    graph: FakeGraphApi, wa_channel: WhatsAppChannel
) -> None:
    buttons = [*options(2), {"id": "long", "label": "Доставка и самовывоз из магазина"}]
    body = await sent(graph, wa_channel, outgoing(text="Что вас интересует?", buttons=buttons))
    assert body["type"] == "interactive"
    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Что вас интересует?"}
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == ["opt1", "opt2", "long"]
    assert replies[2]["title"] == "Доставка и самовыво…"
    assert all(len(r["title"]) <= 20 for r in replies)
    assert {b["type"] for b in interactive["action"]["buttons"]} == {"reply"}


async def test_more_buttons_are_a_list(graph: FakeGraphApi, wa_channel: WhatsAppChannel) -> None:
    buttons = [*options(4), {"id": "q", "label": "Или просто напишите свой вопрос"}]
    body = await sent(graph, wa_channel, outgoing(text="Выберите:", buttons=buttons))
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Выбрать"
    [section] = interactive["action"]["sections"]
    rows = section["rows"]
    assert [r["id"] for r in rows] == ["opt1", "opt2", "opt3", "opt4", "q"]
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[4]["description"] == "Или просто напишите свой вопрос"
    assert "description" not in rows[0]


async def test_too_many_options_become_numbered_text(
    graph: FakeGraphApi, wa_channel: WhatsAppChannel
) -> None:
    body = await sent(graph, wa_channel, outgoing(text="Выберите:", buttons=options(11)))
    assert body["type"] == "text"
    assert body["text"]["body"].splitlines()[:3] == ["Выберите:", "", "1 — Option 1"]
    assert body["text"]["body"].endswith("11 — Option 11")


async def test_template(graph: FakeGraphApi, wa_channel: WhatsAppChannel) -> None:
    message = outgoing(text="Вы хотели подумать — как решение?", template="follow_up_question")
    body = await sent(graph, wa_channel, message)
    assert body["type"] == "template"
    assert body["template"] == {"name": "follow_up_question", "language": {"code": "ru"}}
    assert "text" not in body


ORDER_TEMPLATE = {
    "name": "order_created_link",
    "language": "ru",
    "body": ["A-17", "2500", "https://pay.example/A-17"],
    "button_url": "A-17",
}
WIRE_TEMPLATE = {
    "name": "order_created_link",
    "language": {"code": "ru"},
    "components": [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "A-17"},
                {"type": "text", "text": "2500"},
                {"type": "text", "text": "https://pay.example/A-17"},
            ],
        },
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "A-17"}],
        },
    ],
}


async def test_template_with_parameters(graph: FakeGraphApi, wa_channel: WhatsAppChannel) -> None:
    body = await sent(graph, wa_channel, outgoing(text="Заказ A-17", template=ORDER_TEMPLATE))
    assert body["type"] == "template"
    assert body["template"] == WIRE_TEMPLATE


async def test_window_closed_meanwhile_sends_the_template_once(
    graph: FakeGraphApi, wa_channel: WhatsAppChannel
) -> None:
    graph.fail_next(meta.REENGAGEMENT)
    text = "Заказ A-17 оформлен на сумму 2500 ₽. Оплатить: https://pay.example/A-17"
    await wa_channel.sender().send(outgoing(text=text, fallback_template=ORDER_TEMPLATE))
    first, second = graph.calls
    assert (first.status, first.body["type"]) == (400, "text")
    assert (second.status, second.body["type"]) == (200, "template")
    assert second.body["template"] == WIRE_TEMPLATE
    assert second.body["biz_opaque_callback_data"] == first.body["biz_opaque_callback_data"]


async def test_window_closed_without_a_template_is_skipped_not_retried(
    graph: FakeGraphApi, wa_channel: WhatsAppChannel
) -> None:
    graph.fail_next(meta.REENGAGEMENT, meta.REENGAGEMENT)
    with pytest.raises(SendFailed) as bare:
        await wa_channel.sender().send(outgoing(text="Менеджер: вот фото"))
    # A template refused the same way is not sent again as itself.
    with pytest.raises(SendFailed) as templated:
        await wa_channel.sender().send(
            outgoing(template=ORDER_TEMPLATE, fallback_template=ORDER_TEMPLATE)
        )
    assert (bare.value.skipped, bare.value.final) == (True, True)
    assert templated.value.skipped
    assert len(graph.calls) == 2


async def test_empty_text_and_other_kinds_fail_for_good(
    graph: FakeGraphApi, wa_channel: WhatsAppChannel
) -> None:
    with pytest.raises(SendFailed) as empty:
        await wa_channel.sender().send(outgoing(text="  "))
    assert empty.value.final
    task = message_from_row("task", {"task_id": 1})
    with pytest.raises(SendFailed) as card:
        await wa_channel.sender().send(OutgoingMessage("k", "", task))
    assert card.value.final
    assert graph.calls == []


@pytest.mark.parametrize(
    ("error", "final", "retry_after", "words"),
    [
        (meta.REENGAGEMENT, True, None, "no template: not sent"),
        (meta.UNDELIVERABLE, True, None, "undeliverable"),
        (meta.THROUGHPUT, False, 2.0, "throughput"),
        (meta.PAIR_RATE, False, 6.0, "throughput"),
        (meta.ACCOUNT_RATE, False, 60.0, "throughput"),
        (meta.GraphError(429, 130429, "Rate limit hit", retry_after="7"), False, 7.0, "throughput"),
        (meta.SERVER_ERROR, False, None, "131016"),
        (meta.GraphError(500, 1, "An unknown error occurred"), False, None, "HTTP 500"),
        (meta.BAD_PARAMETER, True, None, "code 100"),
    ],
)
async def test_error_mapping(
    graph: FakeGraphApi,
    wa_channel: WhatsAppChannel,
    error: meta.GraphError,
    final: bool,
    retry_after: float | None,
    words: str,
) -> None:
    graph.fail_next(error)
    with pytest.raises(SendFailed) as failed:
        await wa_channel.sender().send(outgoing(text="Напоминаем об оплате"))
    assert failed.value.final is final
    assert failed.value.retry_after == retry_after
    assert words in str(failed.value)
    assert graph.calls[-1].status == error.status
    await wa_channel.sender().send(outgoing(text="Напоминаем об оплате"))  # the next call passes


async def test_a_bad_token_fails_for_good(graph: FakeGraphApi) -> None:
    sender = WhatsAppSender(graph.base, meta.PHONE_NUMBER_ID, "expired")
    with pytest.raises(SendFailed) as failed:
        await sender.send(outgoing(text="Здравствуйте"))
    await sender.close()
    assert failed.value.final
    assert "code 190" in str(failed.value)


async def test_network_errors_are_retried(graph: FakeGraphApi) -> None:
    base = graph.base
    await graph.close()
    sender = WhatsAppSender(base, meta.PHONE_NUMBER_ID, meta.TOKEN)
    with pytest.raises(SendFailed) as failed:
        await sender.send(outgoing(text="Здравствуйте"))
    await sender.close()
    assert not failed.value.final
    assert failed.value.retry_after is None
    assert str(failed.value).startswith("network:")


def settings(**values: str) -> Settings:
    """Settings without the environment or .env."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def test_channel_from_settings_needs_all_four(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "WHATSAPP_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_API_BASE",
    ):
        monkeypatch.delenv(name, raising=False)
    full = {
        "WHATSAPP_TOKEN": "t",
        "WHATSAPP_PHONE_NUMBER_ID": "1",
        "WHATSAPP_APP_SECRET": "s",
        "WHATSAPP_VERIFY_TOKEN": "v",
        "WHATSAPP_API_BASE": "http://127.0.0.1:9/v21.0",
    }
    assert whatsapp_channel_from(settings()) is None
    for missing in (
        "WHATSAPP_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
    ):
        values = {k: v for k, v in full.items() if k != missing}
        assert whatsapp_channel_from(settings(**values)) is None
        assert whatsapp_channel_from(settings(**(values | {missing: ""}))) is None
    channel = whatsapp_channel_from(settings(**full))
    assert channel is not None
    assert channel.name == "whatsapp"
    assert channel.sender().url == "http://127.0.0.1:9/v21.0/1/messages"
    assert [r.method for r in channel.routes()] == ["GET", "POST"]  # type: ignore[attr-defined]
    await channel.close()
