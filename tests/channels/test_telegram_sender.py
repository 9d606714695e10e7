"""The Telegram sender against the fake Bot API: keyboards, long texts, error mapping."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods.base import Response
from aiogram.types import Message

from chatbot.channels.telegram_sender import RESPONSE_TYPES, TelegramSender, split_text
from chatbot.core.outbox_messages import message_from_row
from chatbot.ports.outbound import OutgoingMessage, SendFailed
from tests.channels.fake_bot_api import (
    BLOCKED,
    PASS,
    SERVER_ERROR,
    FakeBotApi,
    stall,
    too_many_requests,
)

MENU = [{"id": "order", "label": "Оформить заказ"}, {"id": "delivery", "label": "Доставка"}]


def _message(
    text: str,
    buttons: list[dict[str, str]] | None = None,
    key: str = "1:1:0",
    kind: str = "message",
) -> OutgoingMessage:
    payload: dict[str, Any] = {"text": text, "buttons": buttons or [], "template": None}
    return OutgoingMessage(key, "777001", message_from_row(kind, payload))


async def test_buttons_become_an_inline_keyboard_one_per_row(api: FakeBotApi, bot: Bot) -> None:
    await TelegramSender(bot).send(_message("Чем помочь?", MENU))
    [sent] = api.called("sendMessage")
    assert sent["chat_id"] == "777001"
    assert sent["text"] == "Чем помочь?"
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Оформить заказ", "callback_data": "order"}],
            [{"text": "Доставка", "callback_data": "delivery"}],
        ]
    }


async def test_text_is_plain_so_markup_characters_arrive_verbatim(
    api: FakeBotApi, bot: Bot
) -> None:
    text = "Скидка <b>10%</b> на *шары* до 5_марта [акция](x)"
    await TelegramSender(bot).send(_message(text))
    [sent] = api.called("sendMessage")
    assert sent["text"] == text
    assert "parse_mode" not in sent


async def test_long_texts_are_split_with_the_keyboard_on_the_last_part(
    api: FakeBotApi, bot: Bot
) -> None:
    paragraph = "Доставка по городу. " * 100  # 2000 characters
    text = "\n\n".join([paragraph.strip()] * 5)
    await TelegramSender(bot).send(_message(text, MENU))
    sent = api.called("sendMessage")
    assert len(sent) == 3
    assert all(len(s["text"]) <= 4096 for s in sent)
    assert [("reply_markup" in s) for s in sent] == [False, False, True]
    assert " ".join(s["text"] for s in sent).split() == text.split()


async def test_flood_control_asks_to_wait_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", too_many_requests(7))
    with pytest.raises(SendFailed) as failed:
        await TelegramSender(bot).send(_message("Здравствуйте"))
    assert (failed.value.retry_after, failed.value.final) == (7.0, False)


async def test_a_blocked_bot_is_a_final_failure(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", BLOCKED)
    with pytest.raises(SendFailed) as failed:
        await TelegramSender(bot).send(_message("Здравствуйте"))
    assert failed.value.final
    assert "blocked" in str(failed.value)


async def test_server_errors_are_retried_later(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", SERVER_ERROR)
    sender = TelegramSender(bot)
    with pytest.raises(SendFailed) as failed:
        await sender.send(_message("Здравствуйте"))
    assert (failed.value.retry_after, failed.value.final) == (None, False)
    await sender.send(_message("Здравствуйте"))
    assert len(api.called("sendMessage")) == 1


async def test_a_stalled_api_is_a_retryable_failure(api: FakeBotApi) -> None:
    api.fail("sendMessage", stall(30))
    impatient = api.bot(timeout=0.3)
    try:
        with pytest.raises(SendFailed) as failed:
            await TelegramSender(impatient).send(_message("Здравствуйте"))
    finally:
        await impatient.session.close()
    assert not failed.value.final


async def test_a_retry_resumes_after_the_parts_already_sent(api: FakeBotApi, bot: Bot) -> None:
    text = "\n\n".join(f"{n} " + "слово " * 600 for n in range(3))  # three parts
    api.fail("sendMessage", PASS, too_many_requests(1))  # first part goes, second is refused
    sender = TelegramSender(bot)
    with pytest.raises(SendFailed):
        await sender.send(_message(text))
    await sender.send(_message(text))
    starts = [s["text"].split()[0] for s in api.called("sendMessage")]
    assert starts == ["0", "1", "2"]


@pytest.mark.parametrize(
    "message",
    [
        _message("Меню", [{"id": "x" * 65, "label": "Слишком длинный id"}]),
        _message("   "),
        _message("card", kind="task"),
    ],
)
async def test_messages_telegram_can_never_take_fail_finally(
    api: FakeBotApi, bot: Bot, message: OutgoingMessage
) -> None:
    with pytest.raises(SendFailed) as failed:
        await TelegramSender(bot).send(message)
    assert failed.value.final
    assert api.called("sendMessage") == []


def test_split_keeps_short_texts_whole() -> None:
    assert split_text("Здравствуйте!") == ["Здравствуйте!"]
    assert split_text("") == []


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    assert split_text("aaaa bbbb\n\ncccc dddd", limit=12) == ["aaaa bbbb", "cccc dddd"]
    assert split_text("aaaa bbbb\ncccc dddd", limit=12) == ["aaaa bbbb", "cccc dddd"]
    assert split_text("aaaa bbbb cccc", limit=12) == ["aaaa bbbb", "cccc"]
    assert split_text("abcdefghijklmnop", limit=5) == ["abcde", "fghij", "klmno", "p"]


def test_split_counts_emoji_as_telegram_does() -> None:
    parts = split_text("🎈" * 3000)  # 6000 UTF-16 units
    assert [len(p) for p in parts] == [2048, 952]


def test_the_answer_type_of_sendmessage_outlives_garbage_collection() -> None:
    gc.collect()
    assert Response[Message] is RESPONSE_TYPES[0]  # not rebuilt for every message


def _copy(source: str) -> OutgoingMessage:
    payload: dict[str, Any] = {"text": "", "manager": "@olga", "buttons": [], "copy_of": source}
    return OutgoingMessage("1:2:0", "777001", message_from_row("message", payload))


async def test_a_managers_photo_is_copied_not_retyped(api: FakeBotApi, bot: Bot) -> None:
    api.posted[-100555] = {41}
    await TelegramSender(bot).send(_copy("-100555:41"))
    [copied] = api.called("copyMessage")
    assert (copied["chat_id"], copied["from_chat_id"], copied["message_id"]) == (
        "777001",
        "-100555",
        "41",
    )
    assert api.called("sendMessage") == []


async def test_a_copy_telegram_refuses_is_a_final_failure(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(SendFailed) as failed:
        await TelegramSender(bot).send(_copy("-100555:42"))  # deleted meanwhile
    assert failed.value.final
    with pytest.raises(SendFailed, match="not a message to copy"):
        await TelegramSender(bot).send(_copy("garbage"))
