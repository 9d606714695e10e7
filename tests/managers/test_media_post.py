"""Customers' photos, files, places and contacts reach the managers' chat beside the card."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from chatbot.db.tables import MessageRow, OutboxRow
from tests.channels import updates as u
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_graph_api import MB, PHONE_NUMBER_ID, SERVER_ERROR, Stored
from tests.managers.conftest import WA_ID, Shop, minutes

CALL = "Позовите менеджера, пожалуйста"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # the bytes of a small "photo"


async def telegram_customer_sends(shop: Shop, **content: Any) -> int:
    """The Telegram customer Анна sends a photo, voice... in the bot's chat; its message id."""
    message_id = shop.next_id()
    shop.api.posted.setdefault(u.CUSTOMER_ID, set()).add(message_id)
    assert await shop.update(u.message(shop.next_id(), message_id, **content)) == 200
    await shop.deliver()
    return message_id


async def whatsapp_customer_sends(shop: Shop, kind: str, content: Any) -> None:
    """The WhatsApp customer Вера sends an image, document, location... through the webhook."""
    message = {
        "from": WA_ID,
        "id": f"wamid.{shop.next_id()}",
        "timestamp": "1",
        "type": kind,
        kind: content,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"wa_id": WA_ID, "profile": {"name": "Вера"}}],
        "messages": [message],
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    headers = {"X-Hub-Signature-256": fx.sign(body), "Content-Type": "application/json"}
    async with shop.http.post(
        f"{shop.base}/whatsapp/webhook", data=body, headers=headers
    ) as response:
        assert response.status == 200
    await shop.deliver()


async def history(shop: Shop, direction: str = "in") -> list[str]:
    """The texts the dialogs' history keeps, oldest first."""
    async with shop.runtime.app.db.snapshot() as session:
        rows = await session.execute(
            select(MessageRow.text).where(MessageRow.direction == direction).order_by(MessageRow.id)
        )
        return [r[0] for r in rows]


async def test_a_telegram_customers_photo_is_copied_beside_the_card(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    photo = await telegram_customer_sends(shop, photo=u.PHOTO, caption="сколько стоит такой?")
    [copied] = shop.api.called("copyMessage")
    assert (int(copied["chat_id"]), int(copied["from_chat_id"])) == (u.GROUP_ID, u.CUSTOMER_ID)
    assert int(copied["message_id"]) == photo
    posted = shop.group()[-1]
    assert posted["copy_of"] == (u.CUSTOMER_ID, photo)
    assert posted["reply_to_message"]["message_id"] == card["message_id"]
    assert posted["caption"] == "💬 <b>Анна</b> (#1):\nсколько стоит такой?"
    assert (await history(shop))[-1] == "[photo] сколько стоит такой?"
    # Relayed as the file, not a second time as its marker.
    assert not any(m.get("text", "").endswith("[photo] сколько стоит такой?") for m in shop.group())


async def test_a_manager_who_replies_to_the_copied_photo_answers_the_customer(shop: Shop) -> None:
    await shop.customer(CALL)
    await telegram_customer_sends(shop, photo=u.PHOTO)
    await shop.say_in_group("Этот — 2500 ₽", reply_to=shop.group()[-1])
    assert shop.to_customer()[-1] == "Этот — 2500 ₽"


async def test_a_photo_that_calls_for_a_manager_goes_with_the_new_card(shop: Shop) -> None:
    await telegram_customer_sends(shop, photo=u.PHOTO, caption="сколько стоит такой букет?")
    [card] = shop.cards()
    posted = shop.group()[-1]
    assert posted["copy_of"][0] == u.CUSTOMER_ID
    assert posted["reply_to_message"]["message_id"] == card["message_id"]


async def test_a_voice_message_and_a_sticker_are_copied_too(shop: Shop) -> None:
    await shop.customer(CALL)
    voice = await telegram_customer_sends(
        shop, voice={"file_id": "v", "file_unique_id": "v1", "duration": 3}
    )
    sticker = {
        "file_id": "s",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    await telegram_customer_sends(shop, sticker=sticker)
    copies = shop.api.called("copyMessage")
    assert int(copies[0]["message_id"]) == voice
    assert "caption" not in copies[1]  # a sticker has none
    assert (await history(shop))[-2:] == ["[voice]", "[sticker] 👍"]


async def test_a_whatsapp_customers_image_is_uploaded_as_a_photo_with_its_caption(
    shop: Shop,
) -> None:
    await shop.whatsapp_customer(CALL)
    [card] = shop.cards()
    shop.graph.media["wa-img-1"] = Stored(JPEG, "image/jpeg")
    await whatsapp_customer_sends(
        shop,
        "image",
        {"id": "wa-img-1", "mime_type": "image/jpeg", "caption": "а такой <шар> есть?"},
    )
    looked_up, downloaded = shop.graph.media_calls
    assert looked_up.path.endswith("/wa-img-1")
    assert downloaded.path == "/files/wa-img-1"
    assert downloaded.authorization == looked_up.authorization  # the token, for both
    [upload] = shop.api.called("sendPhoto")
    assert int(upload["chat_id"]) == u.GROUP_ID
    posted = shop.group()[-1]
    assert posted["photo"]["data"] == JPEG  # the bytes themselves, uploaded as multipart
    assert posted["caption"] == "💬 <b>Вера</b> (#1):\nа такой &lt;шар&gt; есть?"
    assert posted["reply_to_message"]["message_id"] == card["message_id"]
    assert (await history(shop))[-1] == "[image] а такой <шар> есть?"


async def test_a_whatsapp_document_voice_location_and_contact_reach_the_managers(
    shop: Shop,
) -> None:
    await shop.whatsapp_customer(CALL)
    shop.graph.media["doc-1"] = Stored(b"%PDF-1.4 price", "application/pdf")
    shop.graph.media["ogg-1"] = Stored(b"OggS voice", "audio/ogg")
    await whatsapp_customer_sends(
        shop, "document", {"id": "doc-1", "filename": "прайс.pdf", "mime_type": "application/pdf"}
    )
    await whatsapp_customer_sends(shop, "audio", {"id": "ogg-1", "voice": True})
    await whatsapp_customer_sends(
        shop, "location", {"latitude": 55.75, "longitude": 37.62, "name": "Дом"}
    )
    await whatsapp_customer_sends(
        shop,
        "contacts",
        [{"name": {"formatted_name": "Борис"}, "phones": [{"phone": "+79990009999"}]}],
    )
    document, voice, place, contact = shop.group()[-4:]
    assert (document["document"]["file_name"], document["document"]["data"]) == (
        "прайс.pdf",
        b"%PDF-1.4 price",
    )
    assert voice["voice"]["data"] == b"OggS voice"
    assert place["location"] == {"latitude": 55.75, "longitude": 37.62}
    assert contact["contact"] == {"phone_number": "+79990009999", "first_name": "Борис"}
    assert (await history(shop))[-4:] == [
        "[document]",
        "[voice]",
        "[location]",
        "[contact] Борис +79990009999",
    ]


async def test_a_file_too_large_for_telegram_gives_the_managers_a_note(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    [card] = shop.cards()
    shop.graph.media["big-1"] = Stored(b"%PDF", "application/pdf", "big.pdf", declared=60 * MB)
    await whatsapp_customer_sends(shop, "document", {"id": "big-1", "filename": "big.pdf"})
    assert [c.path for c in shop.graph.media_calls] == ["/v21.0/big-1"]  # never downloaded
    note = shop.group()[-1]
    assert note["text"] == (
        "💬 <b>Вера</b> (#1):\n⚠️ Файл не переслан: 60 МБ, а можно до 50 МБ. "
        "Попросите клиента прислать его иначе или ответьте текстом."
    )
    assert note["reply_to_message"]["message_id"] == card["message_id"]


async def test_a_failing_download_is_retried_and_finally_noted(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    shop.graph.media["img-2"] = Stored(JPEG, "image/jpeg")
    shop.graph.fail_media_next(*[SERVER_ERROR] * 7)
    await whatsapp_customer_sends(shop, "image", {"id": "img-2"})
    assert shop.api.called("sendPhoto") == []
    for _ in range(5):
        await shop.wait(minutes(10))
    assert len(shop.graph.media_calls) == 6  # every try asked again
    assert not shop.group()[-1]["text"].startswith("💬 <b>Вера</b> (#1):\n⚠️")  # still trying
    await shop.wait(minutes(10))  # the retry window's end (an hour): the last try
    assert len(shop.graph.media_calls) == 7
    assert shop.group()[-1]["text"].startswith("💬 <b>Вера</b> (#1):\n⚠️ Не удалось переслать")
    async with shop.runtime.app.db.snapshot() as session:
        [status] = (
            (await session.execute(select(OutboxRow.status).where(OutboxRow.kind == "media")))
            .scalars()
            .all()
        )
    assert status == "sent"  # delivered as the note


async def test_a_recovered_download_posts_the_photo(shop: Shop) -> None:
    await shop.whatsapp_customer(CALL)
    shop.graph.media["img-3"] = Stored(JPEG, "image/jpeg")
    shop.graph.fail_media_next(SERVER_ERROR)
    await whatsapp_customer_sends(shop, "image", {"id": "img-3"})
    await shop.wait(minutes(1))
    assert shop.group()[-1]["photo"]["data"] == JPEG
