"""`chatbot doctor`'s Telegram checks: the token, the webhook and the bot's place in staff chats."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramUnauthorizedError
from aiogram.types import User

from chatbot.channels.telegram import telegram_channel_from
from chatbot.config import Settings
from chatbot.errors import ConfigError
from chatbot.service.doctor import Check, fail, ok, reason, skip

CHATS = ("telegram.managers_chat", "telegram.supervisor_chat")
POSTING = {"member": "a member", "administrator": "an administrator", "creator": "the creator"}
BOTFATHER = "copy the token @BotFather gives (/token) into TELEGRAM_BOT_TOKEN"


async def check_telegram(settings: Settings) -> list[Check]:
    """getMe, getWebhookInfo in webhook mode, and getChatMember in the staff chats."""
    try:
        channel = telegram_channel_from(settings)
    except ConfigError as exc:
        return [fail("telegram.token", str(exc), "correct the setting named above")]
    if channel is None:
        fix = "set TELEGRAM_BOT_TOKEN, or unset MANAGERS_CHAT_ID and SUPERVISOR_CHAT_ID"
        return [
            fail(
                "telegram.token",
                "TELEGRAM_BOT_TOKEN is unset, but a staff chat is set: "
                "task cards and escalations cannot be posted",
                fix,
            )
        ]
    try:
        me = await _me(channel.bot, settings)
        if not isinstance(me, User):
            return [
                me,
                *(
                    skip(name, "needs a working TELEGRAM_BOT_TOKEN")
                    for name in ("telegram.webhook", *CHATS)
                ),
            ]
        checks = [ok("telegram.token", f"@{me.username} (id {me.id})")]
        checks.append(await _webhook(channel.bot, settings))
        for name, chat_id, setting in zip(
            CHATS,
            (settings.managers_chat_id, settings.supervisor_chat_id),
            ("MANAGERS_CHAT_ID", "SUPERVISOR_CHAT_ID"),
            strict=True,
        ):
            if chat_id is None:
                checks.append(skip(name, f"{setting} is unset"))
            else:
                checks.append(await _chat(channel.bot, me, name, chat_id, setting))
        return checks
    finally:
        await channel.close()


async def _me(bot: Bot, settings: Settings) -> User | Check:
    """The bot's own user, or why Telegram would not say."""
    try:
        return await bot.get_me()
    except TelegramUnauthorizedError:
        return fail(
            "telegram.token",
            "Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): mistyped or revoked",
            BOTFATHER,
        )
    except AiogramError as exc:
        return fail(
            "telegram.token",
            f"{settings.telegram_api_base}: {reason(exc)}",
            "check TELEGRAM_API_BASE and the server's outbound network",
        )


async def _webhook(bot: Bot, settings: Settings) -> Check:
    """In webhook mode: Telegram delivers to TELEGRAM_WEBHOOK_URL and its last try succeeded."""
    name = "telegram.webhook"
    try:
        info = await bot.get_webhook_info()
    except AiogramError as exc:
        return fail(name, f"getWebhookInfo failed: {reason(exc)}", "try again; see the network")
    wanted = settings.telegram_webhook_url
    if not wanted:
        if info.url:
            return skip(name, f"polling mode; `chatbot run` removes the old webhook {info.url}")
        return skip(name, "TELEGRAM_WEBHOOK_URL is unset: the bot polls")
    if not info.url:
        return skip(
            name,
            "no webhook registered yet: `chatbot run` registers "
            f"{wanted} with TELEGRAM_WEBHOOK_SECRET at start-up",
        )
    if info.url != wanted:
        return fail(
            name,
            f"Telegram delivers to {info.url}, not TELEGRAM_WEBHOOK_URL={wanted}",
            "restart `chatbot run` to register the configured URL, or correct TELEGRAM_WEBHOOK_URL",
        )
    if info.last_error_message:
        fix = "see the proxy and `chatbot run` logs"
        if "403" in info.last_error_message:
            fix = (
                "the secret does not match: restart `chatbot run` so Telegram gets "
                "TELEGRAM_WEBHOOK_SECRET again, and let the proxy pass the "
                "X-Telegram-Bot-Api-Secret-Token header"
            )
        return fail(
            name, f"{wanted}: Telegram's last delivery failed: {info.last_error_message}", fix
        )
    waiting = f", {info.pending_update_count} updates waiting" if info.pending_update_count else ""
    return ok(name, f"{wanted} registered, no delivery error{waiting}")


async def _chat(bot: Bot, me: User, name: str, chat_id: int, setting: str) -> Check:
    """The bot is in the chat and may post there (task cards, alerts, edits of its own cards)."""
    if chat_id > 0:
        return await _private(bot, me, name, chat_id, setting)
    join = f"add @{me.username} to the group and set {setting} to the group's id (-100...)"
    try:
        member = await bot.get_chat_member(chat_id, me.id)
    except AiogramError as exc:
        return fail(name, f"{setting}={chat_id}: {reason(exc)}", join)
    status = str(member.status.value if hasattr(member.status, "value") else member.status)
    if status == "restricted" and getattr(member, "can_send_messages", False):
        return ok(name, f"{setting}={chat_id}: the bot is restricted but may post")
    if status not in POSTING:
        detail = f"{setting}={chat_id}: the bot's status is {status}"
        if status == "restricted":
            return fail(
                name,
                f"{detail}, without the right to send messages",
                "let the bot send messages in the group's permissions",
            )
        return fail(name, f"{detail}, it cannot post there", join)
    # Cards are sent and edited (the bot's own messages); nothing the bot does pins.
    return ok(
        name, f"{setting}={chat_id}: the bot is {POSTING[status]}, may post and edit its cards"
    )


async def _private(bot: Bot, me: User, name: str, chat_id: int, setting: str) -> Check:
    """A person's own chat: the bot may write there once they have started it."""
    try:
        chat = await bot.get_chat(chat_id)
    except AiogramError as exc:
        return fail(
            name,
            f"{setting}={chat_id}: {reason(exc)}",
            f"the person opens @{me.username} and presses Start; {setting} is their user id",
        )
    return ok(
        name,
        f"{setting}={chat_id}: a private chat with {chat.first_name or 'the user'}, "
        "the bot may write there",
    )
