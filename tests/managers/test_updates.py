"""Reading updates of the managers' chats: pure, no event loop."""

from __future__ import annotations

from typing import Any

from chatbot.channels.telegram_updates import Rejected, parse_update
from chatbot.core.media import ManagerFile
from chatbot.managers.updates import (
    Actor,
    ButtonPress,
    StaffMessage,
    StaffOther,
    manager_name,
    read_staff_update,
)
from tests.channels import updates as u
from tests.channels.fake_bot_api import BOT_USER

CHATS = frozenset({u.GROUP_ID, 9001})
BOT_ID = int(BOT_USER["id"])
CARD: dict[str, Any] = {
    "message_id": 5,
    "date": 1767225600,
    "chat": u.group(),
    "from": BOT_USER,
    "text": "🆕 Задача #1",
}


def read(raw: dict[str, Any]) -> object:
    update = parse_update(raw)  # the channel parses every update once, for both sides
    return None if isinstance(update, Rejected) else read_staff_update(update, CHATS, BOT_ID)


def test_customers_updates_are_not_claimed() -> None:
    assert read(u.text("Здравствуйте")) is None
    assert read(u.callback("order")) is None
    assert read(u.member("member", "kicked")) is None
    assert read(u.text("hi", where=u.chat(-42, "group"))) is None  # some other group
    assert read({"update_id": 1, "message": {"nonsense": True}}) is None


def test_a_reply_to_the_bot_names_the_message_it_answers() -> None:
    got = read(u.group_text("Добрый день", 7, 70, reply_to=CARD))
    assert got == StaffMessage(7, u.GROUP_ID, 70, Actor("@olga", u.MANAGER_ID), "Добрый день", 5)


def test_a_photo_is_media_with_its_caption_as_the_text() -> None:
    got = read(u.group_photo("Вот набор", 9, 90, reply_to=CARD))
    assert got == StaffMessage(
        9, u.GROUP_ID, 90, Actor("@olga", u.MANAGER_ID), "Вот набор", 5, media=True
    )
    bare = read(u.group_photo(None, 10, 100, reply_to=CARD))
    assert isinstance(bare, StaffMessage)
    assert (bare.text, bare.media) == (None, True)
    location = u.message(
        11,
        110,
        u.manager(),
        u.group(),
        reply_to_message=CARD,
        location={"latitude": 55.7, "longitude": 37.6},
    )
    got = read(location)
    assert isinstance(got, StaffMessage)
    assert (got.text, got.media) == (None, False)  # nothing the customer could be sent


def test_a_reply_to_a_person_is_not_a_reply_to_the_bot() -> None:
    colleague = {**CARD, "from": u.manager(502, "ivan")}
    got = read(u.group_text("Согласен", 8, 80, reply_to=colleague))
    assert isinstance(got, StaffMessage)
    assert got.reply_to is None


def test_card_presses_are_claimed_in_the_group_and_anywhere_by_their_data() -> None:
    got = read(u.press("mgr:take:1", CARD, 9, "cq-9"))
    assert got == ButtonPress(9, "cq-9", u.GROUP_ID, Actor("@olga", u.MANAGER_ID), "mgr:take:1")
    elsewhere = {**CARD, "chat": u.chat()}
    assert isinstance(read(u.press("mgr:done:1", elsewhere, 10, "cq-10")), ButtonPress)
    assert isinstance(read(u.press("anything", CARD, 11, "cq-11")), ButtonPress)


def test_the_bots_own_messages_and_membership_changes_are_ignored() -> None:
    own = u.group_text("🆕", 12, 120, sender=BOT_USER)
    assert read(own) == StaffOther(12)
    joined = u.member("left", "member", update_id=13)  # the bot was added to the group
    joined["my_chat_member"]["chat"] = u.group()
    assert read(joined) == StaffOther(13)


def test_managers_are_named_by_username_else_by_full_name() -> None:
    from aiogram.types import User

    assert manager_name(User(id=1, is_bot=False, first_name="Ольга", username="olga")) == "@olga"
    full = User(id=2, is_bot=False, first_name="Иван", last_name="Петров")
    assert manager_name(full) == "Иван Петров"
    assert len(manager_name(User(id=3, is_bot=False, first_name="x" * 100))) == 64


def test_a_file_to_upload_is_read_with_the_photo_size_whatsapp_takes() -> None:
    sizes = [
        {"file_id": f"p{n}", "file_unique_id": f"u{n}", "width": n, "height": n, "file_size": size}
        for n, size in ((90, 9_000), (800, 4_000_000), (2560, 6_000_000))
    ]
    got = read(u.message(12, 120, u.manager(), u.group(), reply_to_message=CARD, photo=sizes))
    assert isinstance(got, StaffMessage)
    assert got.file == ManagerFile(
        "photo", "p800", 4_000_000, "image/jpeg", "", f"{u.GROUP_ID}:120"
    )
    gif = {"file_id": "g", "file_unique_id": "g1", "width": 1, "height": 1, "duration": 1}
    animation = read(
        u.message(
            13,
            130,
            u.manager(),
            u.group(),
            reply_to_message=CARD,
            animation=gif,
            document={"file_id": "g", "file_unique_id": "g1"},
        )
    )
    assert isinstance(animation, StaffMessage)
    assert (animation.media, animation.file) == (True, None)  # copied to Telegram only
