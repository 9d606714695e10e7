"""/spam's period, list and buttons: pure, no event loop."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.db.spam_closes import SpamClose
from chatbot.engine.manager_wording import EN, RU
from chatbot.managers.commands import read_command
from chatbot.managers.spam_review import (
    MAX_LISTED,
    command_argument,
    period_start,
    read_days,
    read_unspam,
    spam_text,
    unspam_data,
)

MSK = ZoneInfo("Europe/Moscow")
AT = datetime(2026, 3, 2, 8, 5, tzinfo=UTC)  # 11:05 in Moscow
SINCE = datetime(2026, 3, 2, tzinfo=MSK)


def close(dialog_id: int = 4, **change: object) -> SpamClose:
    values: dict[str, object] = dict(
        dialog_id=dialog_id,
        channel="telegram",
        chat_id="777002",
        customer_name="Борис",
        closed_at=AT,
        text="Заработок 💰💰💰💰",
        cleared=False,
    )
    return SpamClose(**(values | change))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("/spam", 1),
        ("/spam today", 1),
        ("/spam week", 7),
        ("/spam Неделя", 7),
        ("/spam month", 30),
        ("/spam месяц", 30),
        ("/spam 7", 7),
        ("/spam@shop_test_bot 3", 3),
        ("/spam 90", 90),
        ("/spam 0", None),
        ("/spam 91", None),
        ("/spam year", None),
        ("/spam -1", None),
    ],
)
def test_the_period_is_today_a_week_a_month_or_days(text: str, days: int | None) -> None:
    assert read_command(text, "shop_test_bot") == "spam"
    assert read_days(command_argument(text)) == days


def test_a_period_starts_at_midnight_shop_time_days_ago() -> None:
    late = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # already the 3rd in Moscow
    assert period_start(late, 1, MSK) == datetime(2026, 3, 3, tzinfo=MSK)
    assert period_start(late, 7, MSK) == datetime(2026, 2, 25, tzinfo=MSK)


def test_the_button_names_its_dialog() -> None:
    assert unspam_data(42) == "mgr:unspam:42"
    assert read_unspam("mgr:unspam:42") == 42
    for other in ("mgr:take:42", "mgr:unspam:x", "mgr:unspam", "spam:unspam:1", "", None):
        assert read_unspam(other) is None


def test_each_line_names_the_customer_the_channel_the_time_and_the_message() -> None:
    text, rows = spam_text(
        [close(5, channel="whatsapp", customer_name="Вера"), close()], 2, SINCE, RU, MSK
    )
    assert text.split("\n") == [
        "🚫 <b>Закрыто как спам с 02.03: 2</b>",
        "1. <b>Вера</b> · WhatsApp · 02.03 11:05",
        "«Заработок 💰💰💰💰»",
        "2. <b>Борис</b> · Telegram · 02.03 11:05",
        "«Заработок 💰💰💰💰»",
    ]
    assert [[(b.label, b.data) for b in row] for row in rows] == [
        [("1. Не спам — вернуть", "mgr:unspam:5")],
        [("2. Не спам — вернуть", "mgr:unspam:4")],
    ]


def test_what_people_wrote_is_cut_and_escaped() -> None:
    long = "<b>Купи</b> & " + "очень " * 20
    text, _ = spam_text(
        [close(customer_name="<i>Bob</i> " + "x" * 50, text=long)], 1, SINCE, EN, MSK
    )
    name, message = text.split("\n")[1:]
    assert name.startswith("1. <b>&lt;i&gt;Bob&lt;/i&gt; xxx")
    assert name.count("x") == 40 - len("<i>Bob</i> ") - 1  # 40 characters with the "…"
    assert message.startswith("“&lt;b&gt;Купи&lt;/b&gt; &amp; очень")
    assert message.endswith("…”")
    assert len(message.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) == 62


def test_a_cleared_close_is_marked_and_has_no_button() -> None:
    text, rows = spam_text([close(cleared=True), close(5)], 2, SINCE, RU, MSK)
    assert text.split("\n")[2] == "«Заработок 💰💰💰💰» ✅ уже возвращён"
    assert [[b.data for b in row] for row in rows] == [["mgr:unspam:5"]]
    assert rows[0][0].label == "2. Не спам — вернуть"  # numbered like its line


def test_nothing_to_review_and_a_long_list() -> None:
    assert spam_text([], 0, SINCE, RU, MSK) == ("С 02.03 никого не закрыли как спам.", [])
    many = [close(i) for i in range(MAX_LISTED)]
    text, rows = spam_text(many, MAX_LISTED + 7, SINCE, EN, MSK)
    assert text.split("\n")[-1] == "… and 7 older"
    assert len(rows) == MAX_LISTED
    huge = [close(i, text="&" * 60, customer_name="<" * 40) for i in range(MAX_LISTED)]
    text, rows = spam_text(huge, MAX_LISTED, SINCE, EN, MSK)
    assert len(text) <= 4096  # Telegram's limit, even when every character is escaped
    assert text.split("\n")[-1] == f"… and {MAX_LISTED - len(rows)} older"
    assert text.count("\n") == 2 * len(rows) + 1
