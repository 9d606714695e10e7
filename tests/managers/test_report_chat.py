"""/report in the managers' group: the headline figures and the page as a document."""

from __future__ import annotations

from datetime import date

import pytest

from chatbot.managers.report_chat import headline_text, last_week, report_days
from tests.managers.conftest import Shop, minutes
from tests.managers.test_sla_and_commands import CALL


async def test_report_answers_with_figures_and_the_page(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    await shop.wait(minutes(3))
    await shop.say_in_group("Здравствуйте!", reply_to=card)
    await shop.say_in_group("/report")
    headline = shop.group()[-2]["text"].split("\n")
    assert headline[0] == "<b>Шарики и праздник · Отчёт о работе чатов · 02.03</b>"
    assert headline[1] == "Новых диалогов: 1 · Спам: 0 (0%)"
    assert headline[2] == "Первый ответ менеджера: 3.0 мин · Нарушений SLA: 0"
    [sent] = shop.api.called("sendDocument")
    assert sent["document"].filename == "report-2026-03-02-2026-03-02.html"
    page = sent["document"].data.decode("utf-8")
    assert "Отчёт о работе чатов" in page
    assert "<script" not in page
    assert shop.group()[-1]["document"]["file_name"] == sent["document"].filename
    assert "managers.report_failed" not in caplog.text  # aiogram read the fake's answer


async def test_report_with_a_bad_period_explains_itself(shop: Shop) -> None:
    await shop.say_in_group("/report yesterday-ish")
    assert shop.group()[-1]["text"].startswith("Отчёт за сегодня: /report.")
    assert shop.api.called("sendDocument") == []


def test_periods_and_the_digest_week() -> None:
    today = date(2026, 3, 4)  # a Wednesday
    assert report_days("", today) == (today, today)
    assert report_days("week", today) == (date(2026, 2, 26), today)
    assert report_days("month", today) == (date(2026, 2, 3), today)
    assert report_days("вчера", today) is None
    assert last_week(date(2026, 3, 9)) == (date(2026, 3, 2), date(2026, 3, 8))  # a Monday
    assert last_week(today) == (date(2026, 2, 23), date(2026, 3, 1))


def test_headline_in_english_without_ratings() -> None:
    figures = {
        "period": {"from": "2026-03-02", "to": "2026-03-08"},
        "dialogs": {"new": 4, "spam": 1, "spam_share": 0.25},
        "first_response": {"manager_p50_min": None},
        "funnel": {"order_created": 2, "paid": 1},
        "nps": {"answers": 0},
        "breaches": {"late_answers": 1, "unanswered_waits": 1},
        "nudges": {"sent": 3, "ordered": 0},
    }
    text = headline_text(figures, "Party <Balloons>", "en").split("\n")
    assert text == [
        "<b>Party &lt;Balloons&gt; · Chat audit · 02.03 – 08.03</b>",
        "New dialogs: 4 · Spam: 1 (25%)",
        "Manager's first answer: — · SLA breaches: 2",
        "Order created: 2 · Paid: 1",
        "Nudges sent: 3 · Ordered: 0",
    ]
