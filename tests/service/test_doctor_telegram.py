"""The doctor's Telegram checks against the fake Bot API: token, webhook, the staff chats."""

from __future__ import annotations

from typing import Any

from chatbot.config import Settings
from chatbot.service.doctor import Check
from chatbot.service.doctor_telegram import check_telegram
from tests.channels.fake_bot_api import BOT_USER, TOKEN, FakeBotApi

MANAGERS = -1001234567890
HOOK = "https://shop.example.com/telegram/webhook"


def _settings(api: FakeBotApi, **env: Any) -> Settings:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api.base} | env
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


async def _checks(settings: Settings) -> dict[str, Check]:
    return {c.name: c for c in await check_telegram(settings)}


async def test_a_refused_token_fails_and_skips_what_needs_it(api: FakeBotApi) -> None:
    checks = await _checks(
        _settings(api, TELEGRAM_BOT_TOKEN="123456:revoked", MANAGERS_CHAT_ID=MANAGERS)
    )
    token = checks["telegram.token"]
    assert token.status == "fail"
    assert "401 Unauthorized" in token.detail
    assert "@BotFather" in token.fix
    assert checks["telegram.managers_chat"].status == "skip"
    assert checks["telegram.supervisor_chat"].detail == "needs a working TELEGRAM_BOT_TOKEN"


async def test_the_bot_in_the_managers_chat_or_not(api: FakeBotApi) -> None:
    settings = _settings(api, MANAGERS_CHAT_ID=MANAGERS, SUPERVISOR_CHAT_ID=-100777)
    api.unknown_chats.add(-100777)
    checks = await _checks(settings)
    assert checks["telegram.token"].status == "ok"
    left = checks["telegram.managers_chat"]  # the fake's default: the bot is not in the group
    assert left.status == "fail"
    assert (
        left.detail
        == f"MANAGERS_CHAT_ID={MANAGERS}: the bot's status is left, it cannot post there"
    )
    assert "add @shop_test_bot to the group" in left.fix
    wrong = checks["telegram.supervisor_chat"]
    assert wrong.status == "fail"
    assert "chat not found" in wrong.detail
    api.member(BOT_USER["id"], "restricted")
    muted = (await _checks(settings))["telegram.managers_chat"]
    assert muted.status == "fail"
    assert "without the right to send messages" in muted.detail
    api.member(BOT_USER["id"], "member")
    member = (await _checks(settings))["telegram.managers_chat"]
    assert member.status == "ok"
    assert (
        member.detail
        == f"MANAGERS_CHAT_ID={MANAGERS}: the bot is a member, may post and edit its cards"
    )
    asked = api.requested("getChatMember")[-2]
    assert (int(asked["chat_id"]), int(asked["user_id"])) == (MANAGERS, BOT_USER["id"])


async def test_the_webhook_registered_elsewhere_or_failing(api: FakeBotApi) -> None:
    settings = _settings(api, TELEGRAM_WEBHOOK_URL=HOOK, TELEGRAM_WEBHOOK_SECRET="s3cret")
    assert (await _checks(settings))["telegram.webhook"].status == "skip"  # not registered yet
    api.webhook = {"url": "https://old.example.com/hook"}
    moved = (await _checks(settings))["telegram.webhook"]
    assert moved.status == "fail"
    assert "Telegram delivers to https://old.example.com/hook" in moved.detail
    api.webhook = {"url": HOOK}
    assert (await _checks(settings))["telegram.webhook"].status == "ok"
    api.webhook_error = "Wrong response from the webhook: 403 Forbidden"
    refused = (await _checks(settings))["telegram.webhook"]
    assert refused.status == "fail"
    assert "403 Forbidden" in refused.detail
    assert "X-Telegram-Bot-Api-Secret-Token" in refused.fix


async def test_a_webhook_without_its_secret_is_a_configuration_failure(api: FakeBotApi) -> None:
    [check] = await check_telegram(_settings(api, TELEGRAM_WEBHOOK_URL=HOOK))
    assert check.status == "fail"
    assert "TELEGRAM_WEBHOOK_SECRET is not" in check.detail
    assert api.calls == []


async def test_a_supervisor_in_a_private_chat_must_have_started_the_bot(api: FakeBotApi) -> None:
    settings = _settings(api, SUPERVISOR_CHAT_ID=555000111)
    started = (await _checks(settings))["telegram.supervisor_chat"]
    assert started.status == "ok"
    assert started.detail == (
        "SUPERVISOR_CHAT_ID=555000111: a private chat with Customer, the bot may write there"
    )
    api.unknown_chats.add(555000111)
    unknown = (await _checks(settings))["telegram.supervisor_chat"]
    assert unknown.status == "fail"
    assert "chat not found" in unknown.detail
    assert unknown.fix.startswith("the person opens @shop_test_bot and presses Start")
    assert [int(p["chat_id"]) for p in api.requested("getChat")] == [555000111, 555000111]


async def test_a_staff_chat_without_a_token_fails() -> None:
    settings = Settings(_env_file=None, SUPERVISOR_CHAT_ID=555000111)  # type: ignore[call-arg]
    [check] = await check_telegram(settings)
    assert (check.name, check.status) == ("telegram.token", "fail")
    assert "set TELEGRAM_BOT_TOKEN" in check.fix
