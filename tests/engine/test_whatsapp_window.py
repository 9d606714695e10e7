"""The WhatsApp window with its margin, and filling a text's template from dialog variables."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatbot.core.effects import TemplateCall
from chatbot.core.state import DialogState
from chatbot.engine.whatsapp_spec import WhatsAppSettings
from chatbot.engine.whatsapp_window import NO_TEMPLATE, SKIPPABLE, fill_template, outside_window

NOW = datetime(2026, 3, 5, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))
SETTINGS = WhatsAppSettings.model_validate(
    {
        "templates": {
            "order_created_link": {
                "name": "order_created_link",
                "body": ["order_id", "pay_url"],
                "button_url": "order_id",
            },
            "missed_call": "missed_call",
            "ask_rating": {"name": "delivery_rating", "language": "en_US", "body": ["order_id"]},
        },
        "skippable": ["need_time_follow_up"],
    }
)


def wrote(ago: timedelta | None, channel: str = "whatsapp") -> DialogState:
    return DialogState(channel=channel, last_inbound_at=None if ago is None else NOW - ago)


@pytest.mark.parametrize(
    ("ago", "outside"),
    [
        (timedelta(hours=1), False),
        (timedelta(hours=23, minutes=29), False),
        (timedelta(hours=23, minutes=31), True),  # less than 30 minutes left
        (timedelta(hours=24), True),
        (timedelta(days=3), True),
        (None, True),  # a number that never wrote
    ],
)
def test_the_window_keeps_a_margin(ago: timedelta | None, outside: bool) -> None:
    assert outside_window(wrote(ago), SETTINGS, NOW) is outside


def test_the_margin_is_a_setting() -> None:
    tight = SETTINGS.model_copy(update={"margin": timedelta(minutes=5)})  # already read
    assert not outside_window(wrote(timedelta(hours=23, minutes=50)), tight, NOW)
    assert outside_window(wrote(timedelta(hours=23, minutes=56)), tight, NOW)


def test_other_channels_have_no_window() -> None:
    assert not outside_window(wrote(timedelta(days=3), "telegram"), SETTINGS, NOW)


def test_parameters_come_from_the_texts_variables_in_order() -> None:
    values = {"order_id": "A-17", "pay_url": " https://pay.example/A-17 ", "amount": "2500"}
    assert fill_template("order_created_link", SETTINGS, values, "ru") == TemplateCall(
        "order_created_link", "ru", ("A-17", "https://pay.example/A-17"), "A-17"
    )


def test_a_bare_name_and_a_pinned_language() -> None:
    assert fill_template("missed_call", SETTINGS, {}, "en") == TemplateCall("missed_call", "en")
    call = fill_template("ask_rating", SETTINGS, {"order_id": "A-1"}, "ru")
    assert call == TemplateCall("delivery_rating", "en_US", ("A-1",))


def test_why_no_template_can_be_sent() -> None:
    assert fill_template("nudge_1", SETTINGS, {}, "ru") == NO_TEMPLATE
    assert fill_template("need_time_follow_up", SETTINGS, {}, "ru") == SKIPPABLE
    assert (
        fill_template("order_created_link", SETTINGS, {"order_id": "A-1", "pay_url": " "}, "ru")
        == "template order_created_link: no value for {pay_url}"
    )
