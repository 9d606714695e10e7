"""Outbox messages: each type reads back what it writes, and writes the JSON rows already hold."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chatbot.core.effects import Button, Personalise, TemplateCall
from chatbot.core.media import Media
from chatbot.core.outbox_messages import (
    CardPost,
    CardRefresh,
    Composition,
    CrmDialog,
    CrmNotice,
    CustomerMessage,
    ManagerAlert,
    MediaRelay,
    OutboxMessage,
    Relay,
    UnknownMessage,
    kind_of,
    message_from_row,
)

AT = datetime(2026, 3, 2, 8, 0, 5, 120000, tzinfo=UTC)
ORDER = TemplateCall("order_created", "ru", ("A-17", "2500"), "A-17")
# Payloads exactly as the outbox rows of earlier versions hold them (keys in their order).
WRITTEN: list[tuple[str, dict[str, Any]]] = [
    (
        "message",
        {
            "text": "Здравствуйте!",
            "key": "menu_main",
            "buttons": [{"id": "order", "label": "Заказ"}],
            "template": None,
        },
    ),
    (
        "message",
        {
            "text": "Заказ A-17",
            "key": "order_created",
            "buttons": [],
            "template": {
                "name": "order_created",
                "language": "ru",
                "body": ["A-17", "2500"],
                "button_url": "A-17",
            },
        },
    ),
    (
        "message",
        {
            "text": "Как решение?",
            "key": "nudge_1",
            "buttons": [],
            "template": None,
            "fallback_template": {
                "name": "follow_up",
                "language": "ru",
                "body": [],
                "button_url": None,
            },
            "personalise": {"lang": "ru", "max_chars": 300, "recent_messages": 6},
        },
    ),
    (
        "message",
        {
            "text": "Анна, как решение?",
            "key": "nudge_1",
            "buttons": [],
            "template": None,
            "personalise": {"lang": "ru", "max_chars": 300, "recent_messages": 6},
            "template_text": "Как решение?",
            "personalised": True,
            "fallback": None,
        },
    ),
    (
        "message",
        {
            "text": "Как решение?",
            "key": "nudge_1",
            "buttons": [],
            "template": None,
            "personalise": {"lang": "ru", "max_chars": 300, "recent_messages": 6},
            "template_text": "Как решение?",
            "personalised": False,
            "fallback": "llm_timeout",
        },
    ),
    ("message", {"text": "Добрый день!", "manager": "@olga", "buttons": []}),
    ("message", {"text": "", "manager": "@olga", "buttons": [], "copy_of": "-100555:41"}),
    ("message", {"key": "nudge_2"}),
    ("message", {"text": "Старая строка", "key": "menu", "buttons": [], "template": "hello"}),
    (
        "task",
        {
            "task_id": 7,
            "kind": "lead",
            "reason": "Заказ / подбор",
            "dialog_id": 3,
            "channel": "telegram",
            "chat_id": "777001",
            "to": "managers",
        },
    ),
    ("card", {"task_ids": [7, 9], "dialog_id": 3}),
    ("alert", {"kind": "sla", "reason": "Клиент ждёт 5 минут", "dialog_id": 3}),
    ("relay", {"dialog_id": 3, "text": "Алло?"}),
    (
        "media",
        {
            "dialog_id": 3,
            "channel": "whatsapp",
            "media": {
                "kind": "photo",
                "ref": "wamid-photo",
                "caption": "вот",
                "mime": "image/jpeg",
            },
        },
    ),
    (
        "media",
        {
            "dialog_id": 3,
            "channel": "telegram",
            "media": {
                "kind": "location",
                "latitude": 55.75,
                "longitude": 37.62,
                "title": "Красная площадь",
            },
        },
    ),
    (
        "crm",
        {
            "event": "task_created",
            "occurred_at": "2026-03-02T08:00:05.120000+00:00",
            "dialog": {
                "id": 3,
                "channel": "telegram",
                "chat_id": "777001",
                "phone": "+79990001122",
            },
            "data": {"task_id": 7, "kind": "lead", "reason": "Заказ"},
        },
    ),
    (
        "crm",
        {
            "event": "stage_changed",
            "occurred_at": "2026-03-02T08:00:00+00:00",
            "dialog": {"id": 3, "channel": "whatsapp", "chat_id": "79990001122", "phone": None},
            "data": {"from": "new", "to": "menu"},
        },
    ),
]


@pytest.mark.parametrize(("kind", "payload"), WRITTEN)
def test_a_stored_payload_reads_and_writes_back_byte_for_byte(
    kind: str, payload: dict[str, Any]
) -> None:
    message = message_from_row(kind, payload)
    assert not isinstance(message, UnknownMessage), message
    assert kind_of(message) == kind
    again = message.to_payload()
    assert json.dumps(again, ensure_ascii=False) == json.dumps(payload, ensure_ascii=False)


MESSAGES: list[OutboxMessage] = [
    CustomerMessage("Чем помочь?", "menu_main", buttons=(Button("order", "Заказ"),)),
    CustomerMessage("Заказ A-17", "order_created", template=ORDER, fallback_template=ORDER),
    CustomerMessage(
        "Анна, как решение?",
        "nudge_1",
        personalise=Personalise("ru", 300, 6),
        composed=Composition("Как решение?", True, None),
    ),
    CustomerMessage("Добрый день!", manager="@olga"),
    CustomerMessage("", manager="@olga", copy_of="tg-file?kind=photo&id=F1"),
    CustomerMessage(key="nudge_2"),
    CardPost(7, "lead", "Заказ", 3, "telegram", "777001", "supervisor"),
    CardRefresh((7, 9), 3),
    ManagerAlert("supervisor", "15 минут", 3),
    Relay(3, "Алло?"),
    MediaRelay(3, "whatsapp", Media("contact", title="Олег", phone="+79990001122")),
    CrmNotice("dialog_closed", AT, CrmDialog(3, "telegram", "7", None), {"reason": "thanks"}),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_reads_back_as_it_was_written(message: OutboxMessage) -> None:
    stored = json.loads(json.dumps(message.to_payload()))  # through JSON, as a row keeps it
    assert message_from_row(kind_of(message), stored) == message


def test_a_reply_and_a_managers_message_keep_their_own_keys() -> None:
    assert list(CustomerMessage("Hi", "menu").to_payload()) == [
        "text",
        "key",
        "buttons",
        "template",
    ]
    manager = CustomerMessage("Hi", manager="@olga", copy_of="1:2").to_payload()
    assert list(manager) == ["text", "manager", "buttons", "copy_of"]
    assert CustomerMessage(key="nudge_2").to_payload() == {"key": "nudge_2"}


def test_an_unknown_kind_or_a_broken_payload_is_kept_as_it_is() -> None:
    unknown = message_from_row("poll", {"question": "?"})
    assert isinstance(unknown, UnknownMessage)
    assert (kind_of(unknown), unknown.to_payload()) == ("poll", {"question": "?"})
    broken = message_from_row("relay", {"text": "no dialog"})
    assert isinstance(broken, UnknownMessage)
    assert broken.kind == "relay"
    assert "dialog_id" in broken.problem
    assert broken.to_payload() == {"text": "no dialog"}
