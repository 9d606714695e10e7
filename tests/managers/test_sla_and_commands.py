"""SLA reminders and escalations on a virtual clock; /tasks and /sla in the group."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.channels import updates as u
from tests.managers.conftest import START, SUPERVISOR_ID, Shop, minutes

CALL = "Позовите менеджера, пожалуйста"


async def test_an_untaken_card_is_announced_again_then_escalated(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    await shop.wait(minutes(4.9))
    assert len(shop.group()) == 1
    await shop.wait(minutes(0.2))  # 5 working minutes
    reminder = shop.group()[-1]
    assert reminder["reply_to_message"]["message_id"] == card["message_id"]
    assert "Задача #1</b> не взята: Задача не взята за 5 минут" in reminder["text"]
    assert "Сегодня задачи ещё никто не брал" in reminder["text"]
    assert shop.buttons(reminder)[0] == "mgr:take:1"
    assert shop.api.sent(SUPERVISOR_ID) == []

    await shop.wait(minutes(10))  # 15 working minutes
    [escalation] = shop.api.sent(SUPERVISOR_ID)
    assert escalation["text"].startswith("🚨 <b>Эскалация</b>: Задача не взята за 15 минут.")
    assert "Задача #1" in escalation["text"]
    assert "Анна" in escalation["text"]
    assert len(shop.group()) == 2  # the group got no third message

    # The supervisor (in MANAGER_IDS, not in the group) takes it from the escalation.
    boss = u.manager(SUPERVISOR_ID, "boss", "Руководитель")
    assert (await shop.press("take", escalation, boss))["text"] == "Задача #1 ваша"
    assert "Взял(а) @boss" in shop.cards()[0]["text"]
    for post in (shop.cards()[0], shop.group()[1], shop.api.sent(SUPERVISOR_ID)[0]):
        assert shop.buttons(post) == ["mgr:done:1", "mgr:return_to_bot:1"]
    # Their private chat is staff: a reply there goes to the customer, not into a dialog.
    private = u.chat(SUPERVISOR_ID)
    await shop.say_in_group("Извините за ожидание!", escalation, boss, where=private)
    assert shop.to_customer()[-1] == "Извините за ожидание!"


async def test_a_card_taken_in_time_raises_no_alert(shop: Shop) -> None:
    await shop.customer(CALL)
    await shop.wait(minutes(2))
    await shop.press("take", shop.cards()[0])
    await shop.wait(minutes(30))
    assert len(shop.group()) == 1
    assert shop.api.sent(SUPERVISOR_ID) == []


async def test_a_reminder_names_who_is_on_duty_today(shop: Shop) -> None:
    await shop.customer(CALL)
    await shop.press("take", shop.cards()[0])
    await shop.whatsapp_customer(CALL)
    await shop.wait(minutes(5))
    reminder = shop.group()[-1]
    assert "Задача #2</b> не взята" in reminder["text"]
    assert "На связи сегодня: @olga" in reminder["text"]


@pytest.mark.parametrize("start", [START.replace(hour=18, minute=58)])
async def test_sla_minutes_are_working_minutes(shop: Shop, start: datetime) -> None:
    await shop.customer(CALL)  # two minutes before closing
    await shop.wait(minutes(60))
    assert len(shop.group()) == 1  # the shop is closed: the clock of the SLA stands still
    await shop.wait(minutes(14 * 60 + 4))  # 10:02 the next morning
    assert len(shop.group()) == 1
    await shop.wait(minutes(1.5))  # 10:03:30, five working minutes in
    assert "не взята" in shop.group()[-1]["text"]


async def test_tasks_lists_open_and_taken_tasks(shop: Shop) -> None:
    await shop.customer(CALL)
    await shop.press("take", shop.cards()[0])
    await shop.wait(minutes(1))
    await shop.whatsapp_customer(CALL)
    await shop.wait(minutes(3))
    await shop.say_in_group("/tasks@shop_test_bot")
    listing = shop.group()[-1]["text"]
    lines = listing.split("\n")
    assert lines[0] == "<b>Открытые задачи: 2</b>"
    assert "Анна · Telegram · у @olga" in lines[1]
    assert "Вера · WhatsApp · ждёт 3 мин" in lines[2]
    assert 'href="https://t.me/c/1234567890/' in lines[1]  # a link to the card


async def test_tasks_for_another_bot_is_not_ours(shop: Shop) -> None:
    await shop.say_in_group("/tasks@other_bot")
    assert shop.group() == []


async def test_sla_shows_todays_response_times_and_breaches(shop: Shop) -> None:
    await shop.say_in_group("/sla")
    assert "Сегодня менеджеры ещё не отвечали клиентам." in shop.group()[-1]["text"]

    await shop.customer(CALL)
    [card] = shop.cards()
    await shop.wait(minutes(3))
    await shop.say_in_group("Здравствуйте!", reply_to=card)
    await shop.whatsapp_customer(CALL)
    whatsapp_card = shop.cards()[-1]
    await shop.wait(minutes(12))
    await shop.say_in_group("Извините за ожидание", reply_to=whatsapp_card)
    await shop.say_in_group("/sla")
    report = shop.group()[-1]["text"].split("\n")
    assert report[0] == "<b>SLA за сегодня, 02.03:</b>"
    assert report[1] == "@olga — ответов 2, в среднем 7.5 мин, максимум 12 мин, просрочено 1"
    assert report[-2] == "Напоминаний о невзятых задачах: 1, эскалаций руководителю: 0"
    assert report[-1] == "Сейчас не взято: 2"


async def test_a_stranger_gets_no_task_list(shop: Shop) -> None:
    await shop.customer(CALL)
    stranger = u.manager(666, "stranger", "Незнакомец")
    await shop.say_in_group("/tasks", sender=stranger)
    assert shop.group()[-1]["text"].startswith("Извините")
    assert "Задача" not in shop.group()[-1]["text"]
