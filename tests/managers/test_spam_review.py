"""/spam in the managers' group and its "not spam" buttons, through the real runtime."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from chatbot.db.tables import DialogRow
from tests.channels import updates as u
from tests.managers.conftest import Shop

SPAM = "Заработок от 100 000 ₽ в неделю без вложений 💰💰💰💰 пишите в t.me/easy_money_bot"
SPAM_SHOWN = "«Заработок от 100 000 ₽ в неделю без вложений 💰💰💰💰 пишите в…»"
BORIS = 777002  # a second Telegram customer


async def boris(shop: Shop, text: str) -> None:
    """The Telegram customer Борис writes."""
    sender = u.user(BORIS, first_name="Борис")
    raw = u.text(text, shop.next_id(), shop.next_id(), sender=sender, where=u.chat(BORIS))
    assert await shop.update(raw) == 200
    await shop.deliver()


async def spam_list(shop: Shop, command: str = "/spam") -> dict[str, Any]:
    """A manager asks for the spam closes; the bot's answer in the group."""
    await shop.say_in_group(command)
    return shop.group()[-1]


def labels(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button["text"] for row in rows for button in row]


async def flags(shop: Shop, chat_id: int) -> str:
    async with shop.runtime.app.db.snapshot() as session:
        found = await session.scalar(
            select(DialogRow.flags).where(DialogRow.chat_id == str(chat_id))
        )
    return str(found)


async def test_spam_lists_todays_spam_closes_and_not_older_or_other_ones(shop: Shop) -> None:
    await shop.whatsapp_customer(SPAM)  # Вера, closed as spam on Monday
    await shop.wait(timedelta(days=1))
    await boris(shop, SPAM)  # Tuesday 11:00
    await shop.customer("Здравствуйте")  # Анна gets the menu, then blocks the bot
    assert await shop.update(u.member("member", "kicked", update_id=shop.next_id())) == 200
    assert shop.api.sent(BORIS) == []  # no answer to spam
    assert shop.cards() == []  # and no task

    today = await spam_list(shop)
    assert today["text"].split("\n") == [
        "🚫 <b>Закрыто как спам с 03.03: 1</b>",
        "1. <b>Борис</b> · Telegram · 03.03 11:00",
        SPAM_SHOWN,
    ]
    assert labels(today) == ["1. Не спам — вернуть"]
    [data] = shop.buttons(today)
    assert data.startswith("mgr:unspam:")

    week = await spam_list(shop, "/spam week")
    assert week["text"].split("\n")[0] == "🚫 <b>Закрыто как спам с 25.02: 2</b>"
    assert "2. <b>Вера</b> · WhatsApp · 02.03 11:00" in week["text"]
    assert labels(week) == ["1. Не спам — вернуть", "2. Не спам — вернуть"]
    assert (await spam_list(shop, "/spam 2"))["text"] == week["text"].replace("25.02", "02.03")


async def test_not_spam_lets_the_customers_next_message_through(shop: Shop) -> None:
    await boris(shop, SPAM)
    await boris(shop, "Ну что, ответите?")
    assert shop.api.sent(BORIS) == []  # a known spammer is not answered
    listing = await spam_list(shop)
    assert SPAM_SHOWN in listing["text"]  # the message that was judged, not the later one
    [data] = shop.buttons(listing)
    dialog_id = int(data.rsplit(":", 1)[1])

    answer = await shop.press("unspam", listing, task_id=dialog_id)
    assert answer["text"] == "Вернули: бот ответит на следующее сообщение клиента Борис"
    assert "spammer" not in await flags(shop, BORIS)
    again = await spam_list(shop)  # still closed until Борис writes: shown as done
    assert again["text"].split("\n")[2] == f"{SPAM_SHOWN} ✅ уже возвращён"
    assert shop.buttons(again) == []

    await boris(shop, "Здравствуйте! Нужны шары на день рождения 🎈🎈🎈🎈")
    assert shop.api.sent(BORIS)  # the bot answers, though the message has many emojis
    assert (await spam_list(shop))["text"] == "С 02.03 никого не закрыли как спам."
    second = await shop.press("unspam", listing, task_id=dialog_id)
    assert second["text"] == "Этого клиента уже вернули"


async def test_a_second_press_is_answered_as_already_done(shop: Shop) -> None:
    await boris(shop, SPAM)
    listing = await spam_list(shop)
    dialog_id = int(shop.buttons(listing)[0].rsplit(":", 1)[1])
    await shop.press("unspam", listing, task_id=dialog_id)
    ivan = u.manager(502, "ivan", "Иван")
    shop.api.member(502)
    answer = await shop.press("unspam", listing, ivan, task_id=dialog_id)
    assert answer["text"] == "Этого клиента уже вернули"


async def test_a_strangers_press_is_refused_and_changes_nothing(shop: Shop) -> None:
    await boris(shop, SPAM)
    listing = await spam_list(shop)
    dialog_id = int(shop.buttons(listing)[0].rsplit(":", 1)[1])
    stranger = u.manager(666, "stranger", "Незнакомец")
    answer = await shop.press("unspam", listing, stranger, task_id=dialog_id)
    assert answer["text"] == "Извините, эти кнопки только для менеджеров магазина."
    assert answer["show_alert"] == "true"
    assert "spammer" in await flags(shop, BORIS)
    await boris(shop, "Здравствуйте")
    assert shop.api.sent(BORIS) == []


async def test_spam_needs_a_manager_and_a_period_it_understands(shop: Shop) -> None:
    stranger = u.manager(666, "stranger", "Незнакомец")
    await shop.say_in_group("/spam", sender=stranger)
    assert shop.group()[-1]["text"].startswith("Извините")
    usage = await spam_list(shop, "/spam year")
    assert usage["text"].startswith("Спам за сегодня: /spam.")
    assert shop.buttons(usage) == []
