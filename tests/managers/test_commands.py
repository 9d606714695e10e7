"""/tasks and /sla texts and command parsing: pure, no event loop."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatbot.db.reports import ManagerFigures
from chatbot.engine.manager_wording import EN, RU
from chatbot.managers.commands import (
    MAX_LISTED,
    card_link,
    minutes,
    read_command,
    sla_text,
    start_of_day,
    tasks_text,
)
from tests.managers.test_card import AT, card


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/tasks", "tasks"),
        ("/SLA", "sla"),
        ("/tasks@Shop_Test_Bot", "tasks"),
        ("/sla please", "sla"),
        ("/tasks@other_bot", None),
        ("/start", None),
        ("tasks", None),
        ("", None),
        (None, None),
    ],
)
def test_commands_are_read_for_this_bot_only(text: str | None, command: str | None) -> None:
    assert read_command(text, "shop_test_bot") == command


def test_links_exist_only_for_supergroup_cards() -> None:
    assert card_link(card(card_chat_id="-1001234567890", card_message_id=5)) == (
        "https://t.me/c/1234567890/5"
    )
    assert card_link(card(card_chat_id="-4711", card_message_id=5)) is None
    assert card_link(card()) is None


def test_the_task_list_says_who_holds_what_and_who_waits() -> None:
    now = AT + timedelta(minutes=7)
    listing = tasks_text(
        [
            card(),
            card(task_id=8, status="taken", manager="@olga", channel="whatsapp", reason="r" * 100),
        ],
        now,
        RU,
    )
    assert listing.split("\n") == [
        "<b>Открытые задачи: 2</b>",
        "Задача #7 · лид · Анна · Telegram · ждёт 7 мин · Заказ / подбор",
        f"Задача #8 · лид · Анна · WhatsApp · у @olga · {'r' * 59}…",
    ]
    assert tasks_text([], now, EN) == "No open tasks."


def test_a_long_task_list_is_cut() -> None:
    many = [card(task_id=i) for i in range(MAX_LISTED + 5)]
    lines = tasks_text(many, AT, EN).split("\n")
    assert len(lines) == MAX_LISTED + 2
    assert lines[-1] == "… +5"


def test_the_sla_report() -> None:
    figures = [ManagerFigures("@ivan", 3, 900.0, 1500.0, 2), ManagerFigures("@olga", 1, 30, 30, 0)]
    report = sla_text(figures, {"sla": 4, "supervisor": 1}, 2, date(2026, 3, 2), EN)
    assert report.split("\n") == [
        "<b>SLA today, 02.03:</b>",
        "@ivan: 3 answers, average 15 min, longest 25 min, late 2",
        "@olga: 1 answers, average 0.5 min, longest 0.5 min, late 0",
        "",
        "Reminders about untaken tasks: 4, escalations to the supervisor: 1",
        "Not taken now: 2",
    ]


def test_minutes_and_the_start_of_the_day() -> None:
    assert [minutes(s, RU) for s in (0, 45, 90, 600, 3599)] == [
        "0 мин",
        "0.8 мин",
        "1.5 мин",
        "10 мин",
        "60 мин",
    ]
    msk = ZoneInfo("Europe/Moscow")
    late = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # already the 3rd in Moscow
    assert start_of_day(late, msk) == datetime(2026, 3, 3, tzinfo=msk)
