"""The managers' sender on its own: odd cases of the outbox rows it delivers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot

from chatbot.core.clock import VirtualClock
from chatbot.core.outbox_messages import message_from_row
from chatbot.db import cards, dialogs, records
from chatbot.db.database import Database
from chatbot.engine.manager_wording import RU
from chatbot.managers.sender import ManagersSender
from chatbot.managers.staff_posts import StaffChats
from chatbot.ports.inbound import CustomerInfo
from chatbot.ports.outbound import OutgoingMessage, SendFailed
from tests.channels import updates as u
from tests.channels.fake_bot_api import BLOCKED, FakeBotApi, upgraded_to
from tests.managers.conftest import START, SUPERVISOR_ID

MSK = ZoneInfo("Europe/Moscow")
ANNA = CustomerInfo(name="Анна", phone="+79990001122", lang="ru")
NEW_GROUP = -1009999999999


@pytest.fixture
def sender(db: Database, bot: Bot) -> ManagersSender:
    chats = StaffChats(u.GROUP_ID, None, RU, MSK)
    return ManagersSender(bot, db, chats, VirtualClock(START))


async def _dialog(db: Database, with_task: bool = True) -> tuple[int, int | None]:
    d = await db.write(dialogs.create_dialog, "telegram", "777001", ANNA, START, "ru")
    assert d is not None
    task = await db.write(records.create_task, d.id, "lead", "Заказ", START) if with_task else None
    return d.id, task


def row(kind: str, payload: dict[str, object], chat: str = "", key: str = "k") -> OutgoingMessage:
    return OutgoingMessage(key, chat, message_from_row(kind, payload))


async def test_a_group_that_became_a_supergroup_is_followed(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    _, task = await _dialog(db)
    api.fail("sendMessage", upgraded_to(NEW_GROUP))
    await sender.send(row("task", {"task_id": task}))
    [card] = api.sent(NEW_GROUP)
    async with db.snapshot() as s:
        found = await cards.task_card(s, task or 0)
    assert found is not None
    assert (found.card_chat_id, found.card_message_id) == (str(NEW_GROUP), card["message_id"])


async def test_a_bot_removed_from_the_group_fails_the_row_for_good(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    _, task = await _dialog(db)
    api.fail("sendMessage", BLOCKED)
    with pytest.raises(SendFailed) as failed:
        await sender.send(row("task", {"task_id": task}))
    assert failed.value.final


async def test_a_card_deleted_in_the_group_is_not_an_error(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    dialog_id, task = await _dialog(db)
    await sender.send(row("task", {"task_id": task}))
    [card] = api.sent(u.GROUP_ID)
    del api.chats[u.GROUP_ID][card["message_id"]]  # a manager deleted it
    await db.write(records.update_open_tasks, dialog_id, "taken", "@olga", START)
    await sender.send(row("card", {"task_ids": [task], "dialog_id": dialog_id}))
    [edit] = [c for c in api.calls if c.method == "editMessageText"]
    assert edit.status == 400  # tried, found nothing to edit, moved on


async def test_closed_and_unknown_tasks_post_no_card(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    dialog_id, task = await _dialog(db)
    await db.write(records.update_open_tasks, dialog_id, "done", "@olga", START)
    await sender.send(row("task", {"task_id": task}))
    await sender.send(row("task", {"task_id": 999}))
    await sender.send(row("card", {"task_ids": [task], "dialog_id": dialog_id}))  # never posted
    assert api.sent(u.GROUP_ID) == []


async def test_a_supervisors_task_goes_to_the_group_when_there_is_no_supervisor_chat(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    dialog_id, _ = await _dialog(db, with_task=False)
    review = await db.write(
        records.create_task, dialog_id, "supervisor_review", "Автозакрытие", START, "supervisor"
    )
    await sender.send(row("task", {"task_id": review}))
    [card] = api.sent(u.GROUP_ID)
    assert "проверка руководителем" in card["text"]


async def test_a_supervisors_task_goes_to_the_supervisors_chat(
    bot: Bot, api: FakeBotApi, db: Database
) -> None:
    chats = StaffChats(u.GROUP_ID, SUPERVISOR_ID, RU, MSK)
    sender = ManagersSender(bot, db, chats, VirtualClock(START))
    dialog_id, lead = await _dialog(db)
    review = await db.write(
        records.create_task, dialog_id, "supervisor_review", "Автозакрытие", START, "supervisor"
    )
    for task in (lead, review):
        await sender.send(row("task", {"task_id": task}))
    [card] = api.sent(SUPERVISOR_ID)
    assert "проверка руководителем" in card["text"]
    assert [c["text"].split("\n")[0] for c in api.sent(u.GROUP_ID)] == [
        f"🆕 <b>Задача #{lead}</b> · лид"
    ]
    async with db.snapshot() as s:
        found = await cards.task_card(s, review)
    assert found is not None
    assert (found.card_chat_id, found.card_message_id) == (str(SUPERVISOR_ID), card["message_id"])


async def test_an_alert_about_a_dialog_without_tasks_still_reaches_the_group(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    dialog_id, _ = await _dialog(db, with_task=False)
    alert = row("alert", {"kind": "sla", "reason": "Клиент <ждёт>", "dialog_id": dialog_id}, "sla")
    await sender.send(alert)
    await sender.send(alert)  # a retry of the same row
    [posted] = api.sent(u.GROUP_ID)
    assert posted["text"] == "⏰ Клиент &lt;ждёт&gt;\nКлиент: Анна · +7999*****22"
    supervisor = row(
        "alert",
        {"kind": "supervisor", "reason": "15 минут", "dialog_id": dialog_id},
        "supervisor",
        "k2",
    )
    await sender.send(supervisor)  # no supervisor chat configured: the group gets it
    assert api.sent(u.GROUP_ID)[-1]["text"].startswith("🚨 <b>Эскалация</b>: 15 минут.")


async def test_an_sla_alert_for_a_card_that_never_went_out_posts_the_card(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    dialog_id, _ = await _dialog(db)
    await sender.send(
        row("alert", {"kind": "sla", "reason": "5 минут", "dialog_id": dialog_id}, "sla")
    )
    [card] = api.sent(u.GROUP_ID)
    assert card["text"].startswith("🆕 <b>Задача #")


async def test_a_relay_without_any_card_is_posted_on_its_own_and_can_be_replied_to(
    sender: ManagersSender, api: FakeBotApi, db: Database
) -> None:
    dialog_id, _ = await _dialog(db, with_task=False)
    await sender.send(row("relay", {"dialog_id": dialog_id, "text": "Алло?"}, key="r1"))
    await sender.send(row("relay", {"dialog_id": dialog_id, "text": "Алло?"}, key="r1"))
    [posted] = api.sent(u.GROUP_ID)
    assert posted["text"] == "💬 <b>Анна</b> (#—):\nАлло?"
    assert "reply_to_message" not in posted
    async with db.snapshot() as s:
        post = await cards.find_post(s, str(u.GROUP_ID), posted["message_id"])
    assert post is not None
    assert (post.dialog_id, post.kind) == (dialog_id, "relay")


async def test_rows_of_other_kinds_are_refused(sender: ManagersSender) -> None:
    with pytest.raises(SendFailed) as failed:
        await sender.send(row("message", {"text": "hi"}))
    assert failed.value.final
