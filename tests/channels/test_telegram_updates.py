"""Reading Telegram updates: what becomes an event, what is ignored, what is rejected."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chatbot.channels.telegram_updates import read_update
from chatbot.core.events import Blocked, Unblocked
from chatbot.core.media import Media
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from tests.channels import updates as u

ANNA_RU = CustomerInfo(name="Анна", lang="ru")


def test_text_message_becomes_incoming_text() -> None:
    item = read_update(u.text("Здравствуйте", update_id=5, message_id=42))
    assert item.update_id == 5
    assert item.inbound == Inbound(
        "telegram", "777001", IncomingText("Здравствуйте"), "777001:42", ANNA_RU
    )
    assert item.callback_query_id is None


@pytest.mark.parametrize(
    ("code", "lang"), [("ru", "ru"), ("en", "en"), ("en-US", "en"), ("de", None), (None, None)]
)
def test_language_is_kept_only_when_the_flows_have_it(code: str | None, lang: str | None) -> None:
    item = read_update(u.text("hi", sender=u.user(lang=code)))
    assert item.inbound is not None
    assert item.inbound.customer == CustomerInfo(name="Анна", lang=lang)


def test_the_same_message_redelivered_has_the_same_key() -> None:
    first = read_update(u.text("Привет", update_id=7, message_id=3))
    again = read_update(u.text("Привет", update_id=7, message_id=3))
    assert first.inbound is not None
    assert again.inbound is not None
    assert first.inbound.external_id == again.inbound.external_id


def test_callback_query_is_a_pressed_button_to_answer() -> None:
    item = read_update(u.callback("order", query_id="cq-9"))
    assert item.inbound is not None
    assert item.inbound.payload == IncomingText("order", button="order")
    assert item.inbound.chat_id == "777001"
    assert item.callback_query_id == "cq-9"


def test_callback_without_data_is_still_answered() -> None:
    item = read_update(u.callback(None, query_id="cq-2"))
    assert item.inbound is None
    assert item.callback_query_id == "cq-2"


@pytest.mark.parametrize(
    ("old", "new", "event"), [("member", "kicked", Blocked()), ("kicked", "member", Unblocked())]
)
def test_membership_changes_block_and_unblock(old: str, new: str, event: object) -> None:
    item = read_update(u.member(old, new))
    assert item.inbound is not None
    assert item.inbound.payload == event
    assert item.inbound.chat_id == "777001"


def test_shared_own_contact_gives_the_phone() -> None:
    contact = {"phone_number": "+79990001122", "first_name": "Анна", "user_id": u.CUSTOMER_ID}
    item = read_update(u.message(contact=contact))
    assert item.inbound is not None
    assert item.inbound.customer.phone == "+79990001122"
    assert isinstance(item.inbound.payload, IncomingText)
    assert "contact" in item.inbound.payload.text
    assert "+7999" not in item.inbound.payload.text


def test_someone_elses_contact_card_does_not_identify_the_customer() -> None:
    contact = {"phone_number": "+79990009999", "first_name": "Boris", "user_id": 5}
    item = read_update(u.message(contact=contact))
    assert item.inbound is not None
    assert item.inbound.customer.phone is None
    assert item.inbound.payload == IncomingText("[contact]")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"photo": u.PHOTO, "caption": "сколько стоит?"}, "[photo] сколько стоит?"),
        ({"photo": u.PHOTO}, "[photo]"),
        ({"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 2}}, "[voice]"),
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s1",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                }
            },
            "[sticker] 👍",
        ),
        ({"location": {"latitude": 55.75, "longitude": 37.62}}, "[location]"),
        ({"document": {"file_id": "d", "file_unique_id": "d1"}}, "[document]"),
        (
            {"video_note": {"file_id": "n", "file_unique_id": "n1", "length": 1, "duration": 1}},
            "[video note]",
        ),
    ],
)
def test_non_text_messages_are_described(content: dict[str, Any], expected: str) -> None:
    item = read_update(u.message(**content))
    assert item.inbound is not None
    assert item.inbound.payload == IncomingText(expected)


@pytest.mark.parametrize(
    ("update", "kind"),
    [
        ({"update_id": 1, "edited_message": u.text("x")["message"]}, "edited_message"),
        (
            {"update_id": 1, "channel_post": u.text("x", where=u.chat(-100, "channel"))["message"]},
            "channel_post",
        ),
        (
            {
                "update_id": 1,
                "inline_query": {"id": "iq", "from": u.user(), "query": "q", "offset": ""},
            },
            "inline_query",
        ),
        (u.text("hi", where=u.chat(-100500, "supergroup")), "group_message"),
        (u.text("hi", sender=u.user(99, is_bot=True)), "bot_message"),
        (u.member("member", "left", kind="group"), "group_membership"),
        (u.message(new_chat_title="x"), "service_message"),
    ],
)
def test_other_updates_are_ignored_with_a_debug_record(
    update: dict[str, object], kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="chatbot.channels.telegram_updates"):
        item = read_update(update)
    assert item.inbound is None
    record = next(r for r in caplog.records if r.msg == "telegram.update_ignored")
    assert record.levelno == logging.DEBUG
    assert record.__dict__["kind"] == kind


@pytest.mark.parametrize(
    "data",
    [
        {"message": {"text": "no update id"}},
        {"update_id": 4, "message": {"message_id": 1, "text": "Секрет 4242", "chat": {"id": 1}}},
        [1, 2, 3],
        "not an update",
        None,
    ],
)
def test_rejected_updates_are_logged_with_the_reason_and_not_the_text(
    data: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="chatbot.channels.telegram_updates"):
        item = read_update(data)
    assert item.inbound is None
    [record] = [r for r in caplog.records if r.msg == "telegram.update_rejected"]
    assert record.levelno == logging.WARNING
    assert record.__dict__["reason"]
    assert "4242" not in caplog.text


def test_media_carries_where_to_copy_it_from_and_its_caption() -> None:
    item = read_update(u.message(message_id=42, photo=u.PHOTO, caption="сколько стоит?"))
    assert item.inbound is not None
    assert isinstance(item.inbound.payload, IncomingText)
    assert item.inbound.payload.media == Media("photo", "777001:42", "сколько стоит?")
    contact = {"phone_number": "+79990009999", "first_name": "Boris", "user_id": 5}
    card = read_update(u.message(message_id=43, contact=contact)).inbound
    assert card is not None
    assert isinstance(card.payload, IncomingText)
    assert card.payload.media == Media("contact", "777001:43")
    plain = read_update(u.text("Здравствуйте")).inbound
    assert plain is not None
    assert isinstance(plain.payload, IncomingText)
    assert plain.payload.media is None
