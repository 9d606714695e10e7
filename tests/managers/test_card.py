"""Card texts, buttons and masking: pure, no event loop."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.db.cards import Line, TaskCard
from chatbot.engine.manager_wording import EN, RU
from chatbot.managers.card import (
    Pressed,
    button_data,
    buttons,
    card_text,
    mask_phone,
    read_button,
    relay_text,
    sla_text,
)

MSK = ZoneInfo("Europe/Moscow")
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def card(**change: object) -> TaskCard:
    values: dict[str, object] = dict(
        task_id=7,
        dialog_id=3,
        kind="lead",
        reason="Заказ / подбор",
        status="open",
        manager=None,
        created_at=AT,
        channel="telegram",
        chat_id="777001",
        stage="manager",
        customer_name="Анна",
        phone="+79990001122",
        card_chat_id=None,
        card_message_id=None,
    )
    return TaskCard(**(values | change))  # type: ignore[arg-type]


def test_the_card_shows_the_task_the_customer_and_the_last_messages() -> None:
    lines = [
        Line("in", "customer", "Нужны шары", AT),
        Line("out", "bot", "Уточните", AT),
        Line("out", "@olga", "Добрый день", AT),
    ]
    assert card_text(card(), lines, RU, MSK).split("\n") == [
        "🆕 <b>Задача #7</b> · лид",
        "Клиент: Анна · +7999*****22",
        "Канал: Telegram · этап: manager",
        "Причина: Заказ / подбор",
        "",
        "Последние сообщения:",
        "👤 11:00 Нужны шары",
        "🤖 11:00 Уточните",
        "🧑‍💼 11:00 Добрый день",
        "",
        "⏳ Ждёт менеджера",
    ]


def test_everything_from_people_is_escaped() -> None:
    text = card_text(
        card(customer_name="<b>Bob</b> & Co", reason="a<b"),
        [Line("in", "customer", "<script>", AT)],
        EN,
        MSK,
    )
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in text
    assert "a&lt;b" in text
    assert "&lt;script&gt;" in text
    assert "<script>" not in text


def test_long_texts_are_cut_and_whitespace_folded() -> None:
    text = card_text(
        card(reason="x" * 1000), [Line("in", "customer", "a\n\nb " * 500, AT)], RU, MSK
    )
    assert len(text) < 1000
    assert "…" in text


@pytest.mark.parametrize(
    ("status", "manager", "shown"),
    [
        ("taken", "@olga", "🙋 Взял(а) @olga"),
        ("done", "@olga", "✅ Закрыта — @olga"),
        ("cancelled", None, "✖️ Отменена"),
    ],
)
def test_the_status_line_follows_the_task(status: str, manager: str | None, shown: str) -> None:
    assert card_text(card(status=status, manager=manager), [], RU, MSK).endswith(shown)


def test_buttons_follow_the_status() -> None:
    def data(status: str) -> list[str]:
        return [b.data for row in buttons(7, status, EN) for b in row]

    assert data("open") == ["mgr:take:7", "mgr:done:7", "mgr:return_to_bot:7"]
    assert data("taken") == ["mgr:done:7", "mgr:return_to_bot:7"]
    assert data("done") == data("cancelled") == []
    assert [b.label for b in buttons(7, "open", EN)[0]] == ["✋ Take"]


def test_button_data_reads_back_and_foreign_data_does_not() -> None:
    assert read_button(button_data("return_to_bot", 12)) == Pressed("return_to_bot", 12)
    for foreign in (None, "", "order", "mgr:take", "mgr:take:x", "mgr:steal:1", "x:take:1"):
        assert read_button(foreign) is None
    assert len(button_data("return_to_bot", 10**15).encode()) <= 64


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+79990001122", "+7999*****22"),
        ("8 (999) 000-11-22", "8 (999) ***-**-22"),
        ("12345", "12345"),
        (None, ""),
        ("", ""),
    ],
)
def test_phones_are_masked_in_the_middle(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_a_reminder_names_who_is_on_duty() -> None:
    assert sla_text(card(), "not taken in 5 minutes", ["@olga", "<Ivan>"], EN).split("\n") == [
        "⏰ <b>Task #7</b> is not taken: not taken in 5 minutes.",
        "Customer: Анна · +7999*****22",
        "On duty today: @olga, &lt;Ivan&gt;",
    ]
    assert "Nobody has taken a task today" in sla_text(card(), "late", [], EN)


def test_a_relayed_message_keeps_its_lines() -> None:
    assert relay_text("Анна", 7, "Первая\nВторая <3", RU) == (
        "💬 <b>Анна</b> (#7):\nПервая\nВторая &lt;3"
    )
    assert relay_text("", None, "x" * 5000, RU).endswith("…")
