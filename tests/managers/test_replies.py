"""A manager's reply in the group reaches the customer on their own channel."""

from __future__ import annotations

from sqlalchemy import select

from chatbot.db.tables import ManagerResponseRow, MessageRow
from tests.channels import updates as u
from tests.channels.fake_graph_api import BAD_PARAMETER
from tests.managers.conftest import WA_ID, Shop, minutes

CALL = "Позовите менеджера, пожалуйста"
PHOTO_BYTES = b"\xff\xd8\xff\xe0 a photo of a balloon set"


async def test_a_reply_to_the_card_reaches_the_telegram_customer(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    await shop.wait(minutes(3))
    await shop.say_in_group("Добрый день! Набор из 15 шаров — 2500 ₽", reply_to=card)
    assert shop.to_customer()[-1] == "Добрый день! Набор из 15 шаров — 2500 ₽"
    columns = (ManagerResponseRow.manager, ManagerResponseRow.seconds, ManagerResponseRow.breach)
    async with shop.runtime.app.db.snapshot() as session:
        [(manager, seconds, breach)] = (await session.execute(select(*columns))).all()
    assert (manager, seconds, breach) == ("@olga", 180.0, False)


async def test_a_reply_to_a_relayed_message_reaches_the_customer_and_is_sent_once(
    shop: Shop,
) -> None:
    await shop.customer(CALL)
    await shop.press("take", shop.cards()[0])
    await shop.customer("Нужны шары на день рождения")
    relayed = shop.group()[-1]
    assert relayed["text"].startswith("💬 <b>Анна</b> (#1):")
    raw = u.group_text("Какого цвета?", shop.next_id(), shop.next_id(), reply_to=relayed)
    assert await shop.update(raw) == 200
    assert await shop.update(raw) == 200  # a redelivery
    await shop.deliver()
    assert shop.to_customer().count("Какого цвета?") == 1


async def test_a_reply_reaches_a_whatsapp_customer(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    [card] = shop.cards()
    assert "WhatsApp" in card["text"]
    assert "+7999*****22" in card["text"]  # the phone, masked
    assert WA_ID not in card["text"]
    await shop.say_in_group("Здравствуйте, Вера! Чем помочь?", reply_to=card)
    last = shop.graph.calls[-1].body
    assert (last["to"], last["text"]["body"]) == (WA_ID, "Здравствуйте, Вера! Чем помочь?")


async def test_an_anonymous_admin_may_reply_as_the_group(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    anonymous = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    raw = u.group_text("Сейчас подберём!", shop.next_id(), shop.next_id(), anonymous, card)
    raw["message"]["sender_chat"] = u.group()
    raw["message"]["author_signature"] = "Мария"
    assert await shop.update(raw) == 200
    await shop.deliver()
    assert shop.to_customer()[-1] == "Сейчас подберём!"


async def test_a_strangers_reply_is_refused_and_not_passed_on(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    before = shop.to_customer()
    stranger = u.manager(666, "stranger", "Незнакомец")
    await shop.say_in_group("Привет!", reply_to=card, sender=stranger)
    assert shop.to_customer() == before
    refusal = shop.group()[-1]
    assert refusal["text"].startswith("Извините, отвечать клиентам")


async def test_messages_between_managers_are_not_passed_on(shop: Shop) -> None:
    await shop.customer(CALL)
    before = (len(shop.to_customer()), len(shop.group()))
    await shop.say_in_group("Кто возьмёт?")
    await shop.say_in_group("Ответ на своё", reply_to=None)
    assert (len(shop.to_customer()), len(shop.group())) == before


async def test_a_reply_to_an_unknown_bot_message_asks_which_customer(shop: Shop) -> None:
    await shop.customer(CALL)
    await shop.say_in_group("/tasks")
    listing = shop.group()[-1]
    await shop.say_in_group("Это кому?", reply_to=listing)
    assert shop.group()[-1]["text"].startswith("Не понял, кому ответ")


async def test_a_blocked_customer_is_reported_to_the_manager(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    assert await shop.update(u.member("member", "kicked", update_id=shop.next_id())) == 200
    await shop.deliver()
    assert "Отменена" in shop.cards()[0]["text"]  # the task went with the dialog
    await shop.say_in_group("Вы тут?", reply_to=card)
    assert shop.group()[-1]["text"] == "⚠️ Не доставлено: клиент заблокировал бота."


async def test_a_photo_reply_is_copied_to_the_telegram_customer(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    photo = await shop.photo_in_group("Вот такой набор, 2500 ₽", reply_to=card)
    [copied] = shop.api.called("copyMessage")
    assert (int(copied["chat_id"]), int(copied["from_chat_id"])) == (u.CUSTOMER_ID, u.GROUP_ID)
    assert int(copied["message_id"]) == photo
    assert shop.api.sent(u.CUSTOMER_ID)[-1]["copy_of"] == (u.GROUP_ID, photo)
    assert shop.to_customer()[-1] == "[copy]"
    async with shop.runtime.app.db.snapshot() as session:
        history = (
            await session.execute(
                select(MessageRow.direction, MessageRow.author, MessageRow.text)
                .where(MessageRow.author == "@olga")
                .order_by(MessageRow.id)
            )
        ).all()
    # As it came in from the group, and as it went out to the customer.
    shown = "[media] Вот такой набор, 2500 ₽"
    assert [tuple(r) for r in history] == [("in", "@olga", shown), ("out", "@olga", shown)]


async def test_a_photo_without_a_caption_is_copied_too(shop: Shop) -> None:
    await shop.customer(CALL)
    photo = await shop.photo_in_group(None, reply_to=shop.cards()[0])
    assert shop.api.sent(u.CUSTOMER_ID)[-1]["copy_of"] == (u.GROUP_ID, photo)


async def test_a_photo_reaches_a_whatsapp_customer_uploaded_and_sent_by_its_id(
    shop: Shop,
) -> None:
    await shop.whatsapp_customer(CALL)
    [card] = shop.cards()
    shop.api.files["AgAD-photo"] = PHOTO_BYTES
    await shop.photo_in_group("Вот такой набор", reply_to=card)
    assert shop.api.called("copyMessage") == []
    assert [c["file_id"] for c in shop.api.called("getFile")] == ["AgAD-photo"]
    [(media_id, upload)] = shop.graph.uploads.items()
    assert (upload.data, upload.mime) == (PHOTO_BYTES, "image/jpeg")
    last = shop.graph.calls[-1].body
    assert (last["to"], last["type"]) == (WA_ID, "image")
    assert last["image"] == {"id": media_id, "caption": "Вот такой набор"}
    async with shop.runtime.app.db.snapshot() as session:
        query = select(MessageRow.text).where(
            MessageRow.direction == "out", MessageRow.author == "@olga"
        )
        sent = (await session.execute(query)).scalars().all()
    assert sent == ["[media] Вот такой набор"]


async def test_a_file_reaches_a_whatsapp_customer_as_a_document(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    shop.api.files["BQAD-doc"] = b"%PDF-1.4 price list"
    document = {
        "file_id": "BQAD-doc",
        "file_unique_id": "d1",
        "file_name": "прайс.pdf",
        "mime_type": "application/pdf",
        "file_size": 19,
    }
    raw = u.message(
        shop.next_id(),
        shop.next_id(),
        u.manager(),
        u.group(),
        reply_to_message=shop.cards()[0],
        document=document,
    )
    assert await shop.update(raw) == 200
    await shop.deliver()
    [(media_id, upload)] = shop.graph.uploads.items()
    assert (upload.data, upload.filename) == (b"%PDF-1.4 price list", "прайс.pdf")
    last = shop.graph.calls[-1].body
    assert last["document"] == {"id": media_id, "filename": "прайс.pdf"}


async def test_a_file_too_large_for_a_whatsapp_customer_is_refused_with_a_note(
    shop: Shop,
) -> None:
    await shop.whatsapp_customer(CALL)
    sent_before = len(shop.graph.calls)
    document = {
        "file_id": "BQAD-big",
        "file_unique_id": "d2",
        "file_name": "video.mov",
        "file_size": 30 * 1024 * 1024,
    }
    raw = u.message(
        shop.next_id(),
        shop.next_id(),
        u.manager(),
        u.group(),
        reply_to_message=shop.cards()[0],
        document=document,
    )
    assert await shop.update(raw) == 200
    await shop.deliver()
    assert len(shop.graph.calls) == sent_before  # nothing went to WhatsApp
    assert shop.api.called("getFile") == []
    assert shop.group()[-1]["text"].startswith("⚠️ Файл не переслан: 30 МБ, а можно до 20 МБ.")


async def test_a_sticker_for_a_whatsapp_customer_is_refused_with_the_reason(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    sticker = {
        "file_id": "s",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    raw = u.message(
        shop.next_id(),
        shop.next_id(),
        u.manager(),
        u.group(),
        reply_to_message=shop.cards()[0],
        sticker=sticker,
    )
    assert await shop.update(raw) == 200
    await shop.deliver()
    assert shop.graph.uploads == {}
    assert shop.group()[-1]["text"].startswith("Клиенту в WhatsApp можно переслать фото")


async def test_a_photo_whatsapp_refuses_gives_the_manager_a_note(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    shop.api.files["AgAD-photo"] = PHOTO_BYTES
    shop.graph.fail_next(BAD_PARAMETER)
    photo = await shop.photo_in_group("Вот", reply_to=shop.cards()[0])
    note = shop.api.called("sendMessage")[-1]  # under the manager's photo
    assert note["text"].startswith("⚠️ Не удалось переслать файл: HTTP 400, code 100")
    assert note["reply_parameters"]["message_id"] == photo


async def test_what_cannot_be_passed_on_is_answered_with_what_can(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    before = len(shop.to_customer())
    raw = u.message(
        shop.next_id(),
        shop.next_id(),
        u.manager(),
        u.group(),
        reply_to_message=card,
        location={"latitude": 55.7, "longitude": 37.6},
    )
    assert await shop.update(raw) == 200
    await shop.deliver()
    assert len(shop.to_customer()) == before
    assert shop.group()[-1]["text"] == "Клиенту можно переслать текст, фото или файл."
