"""Task cards in the managers' group and their buttons, through the real runtime."""

from __future__ import annotations

from sqlalchemy import func, select

from chatbot.db.tables import MessageRow, OutboxRow, TaskRow
from tests.channels import updates as u
from tests.channels.fake_bot_api import SERVER_ERROR
from tests.managers.conftest import SUPERVISOR_ID, Shop, minutes

CALL = "Позовите менеджера, пожалуйста"


async def test_a_handoff_posts_one_card_with_buttons_to_the_managers_chat(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.group()
    assert card["text"].startswith("🆕")
    for shown in (
        "Задача #1",
        "просит менеджера",
        "Анна",
        "Telegram",
        "этап: manager",
        "Клиент просит менеджера",
        CALL,
        "Ждёт менеджера",
    ):
        assert shown in card["text"]
    assert shop.buttons(card) == ["mgr:take:1", "mgr:done:1", "mgr:return_to_bot:1"]
    assert len(shop.to_customer()) == 1  # the customer was told a manager is coming

    assert await shop.deliver() == 0  # nothing left: the card is not posted again
    async with shop.runtime.app.db.snapshot() as session:
        where = (await session.execute(select(TaskRow.card_chat_id, TaskRow.card_message_id))).one()
    assert tuple(where) == (str(u.GROUP_ID), card["message_id"])


async def test_a_card_is_posted_once_even_when_the_sender_retries(shop: Shop) -> None:
    # The card and the customer's reply go out in parallel: both first sends fail.
    shop.api.fail("sendMessage", SERVER_ERROR, SERVER_ERROR)
    await shop.customer(CALL)
    assert shop.cards() == []
    await shop.wait(minutes(1))  # its retry comes due (well before the SLA alert)
    assert len(shop.cards()) == 1
    # A sender that crashed after posting but before marking its row sent: once the row's
    # claim lease (PostgreSQL) has run out, it is tried again.
    now = shop.runtime.app.pipeline.clock.now()
    async with shop.runtime.app.db.transaction() as session:
        await session.execute(
            OutboxRow.__table__.update()
            .where(OutboxRow.kind == "task")
            .values(status="pending", next_attempt_at=now)
        )
    assert await shop.deliver() == 1
    assert len(shop.cards()) == 1


async def test_take_marks_the_card_and_the_bot_stays_quiet(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    answer = await shop.press("take", card)
    assert answer["text"] == "Задача #1 ваша"
    assert await shop.tasks() == [(1, "taken", "@olga")]
    [card] = shop.cards()
    assert "Взял(а) @olga" in card["text"]
    assert shop.buttons(card) == ["mgr:done:1", "mgr:return_to_bot:1"]

    before = len(shop.to_customer())
    await shop.customer("А сколько стоят шары с гелием?")
    assert len(shop.to_customer()) == before  # a manager holds the dialog: no bot reply
    relayed = shop.group()[-1]
    assert "А сколько стоят шары с гелием?" in relayed["text"]
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]


async def test_a_double_take_applies_once(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    raw = u.press("mgr:take:1", card, shop.next_id(), "cq-take")
    assert await shop.update(raw) == 200
    assert await shop.update(raw) == 200  # Telegram delivers the same update again
    await shop.deliver()
    answers = [a["text"] for a in shop.api.called("answerCallbackQuery")]
    assert answers == ["Задача #1 ваша", "Задача уже у вас"]
    second = await shop.press("take", shop.cards()[0])  # pressed twice
    assert second["text"] == "Задача уже у вас"
    other = u.manager(502, "ivan", "Иван")
    shop.api.member(502)
    assert (await shop.press("take", shop.cards()[0], other))["text"] == (
        "Задачу уже взял(а) @olga"
    )
    assert await shop.tasks() == [(1, "taken", "@olga")]
    async with shop.runtime.app.db.snapshot() as session:
        actions = await session.scalar(
            select(func.count()).select_from(MessageRow).where(MessageRow.text == "[take]")
        )
    assert actions == 1
    assert len(shop.api.called("editMessageText")) == 1


async def test_done_gives_the_dialog_back_to_the_bot(shop: Shop) -> None:
    await shop.customer(CALL)
    await shop.press("take", shop.cards()[0])
    assert (await shop.press("done", shop.cards()[0]))["text"] == "Готово, задача закрыта"
    [card] = shop.cards()
    assert "Закрыта — @olga" in card["text"]
    assert shop.buttons(card) == []
    assert await shop.tasks() == [(1, "done", "@olga")]
    before = len(shop.to_customer())
    await shop.customer("Здравствуйте")
    assert len(shop.to_customer()) == before + 1  # the bot answers again


async def test_return_to_bot_without_taking_closes_the_task(shop: Shop) -> None:
    await shop.customer(CALL)
    answer = await shop.press("return_to_bot", shop.cards()[0])
    assert answer["text"] == "Диалог снова ведёт бот"
    assert await shop.tasks() == [(1, "done", "@olga")]
    assert shop.buttons(shop.cards()[0]) == []
    assert (await shop.press("take", shop.cards()[0]))["text"] == "Задача уже закрыта"


async def test_a_strangers_press_is_refused_and_changes_nothing(shop: Shop) -> None:
    await shop.customer(CALL)
    [card] = shop.cards()
    stranger = u.manager(666, "stranger", "Незнакомец")  # left the group, not in MANAGER_IDS
    answer = await shop.press("take", card, stranger)
    assert answer["text"] == "Извините, эти кнопки только для менеджеров магазина."
    assert answer["show_alert"] == "true"  # a pop-up, not a passing hint
    assert await shop.tasks() == [(1, "open", None)]
    assert shop.cards() == [card]
    assert shop.api.called("editMessageText") == []


async def test_a_supervisor_review_goes_to_the_supervisors_chat_with_working_buttons(
    shop: Shop,
) -> None:
    await shop.customer("уже купили в другом месте, неактуально")  # refused: closed, reviewed
    assert shop.group() == []
    [card] = shop.api.sent(SUPERVISOR_ID)
    assert card["text"].startswith("🆕 <b>Задача #1</b> · проверка руководителем")
    assert shop.buttons(card) == ["mgr:take:1", "mgr:done:1", "mgr:return_to_bot:1"]
    boss = u.manager(SUPERVISOR_ID, "boss", "Руководитель")  # in MANAGER_IDS, not the group
    assert (await shop.press("take", card, boss))["text"] == "Задача #1 ваша"
    assert await shop.tasks() == [(1, "taken", "@boss")]
    [card] = shop.api.sent(SUPERVISOR_ID)  # the card is updated where it is
    assert "Взял(а) @boss" in card["text"]
    assert (await shop.press("done", card, boss))["text"] == "Готово, задача закрыта"
    assert await shop.tasks() == [(1, "done", "@boss")]
    assert shop.buttons(shop.api.sent(SUPERVISOR_ID)[0]) == []
    assert shop.group() == []
    assert len(shop.to_customer()) == 1  # the review wrote nothing to the customer
