"""Wiring the managers' chat onto the Telegram channel from settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chatbot.channels.telegram import TelegramChannel
from chatbot.config import Settings
from chatbot.managers.auth import ManagerAuth
from chatbot.managers.desk import ManagersDesk
from chatbot.managers.sender import ManagersSender, StaffChats
from chatbot.managers.wording import wording_for
from chatbot.service.app import App


def attach_managers(
    settings: Settings, telegram: TelegramChannel, app: App
) -> ManagersSender | None:
    """Serve the managers' chat through this bot; the sender of the `managers` outbox rows."""
    if settings.managers_chat_id is None:
        return None
    shop = app.flows.shop
    chats = StaffChats(settings.managers_chat_id, settings.supervisor_chat_id,
                       wording_for(shop.default_lang), ZoneInfo(shop.timezone))  # fmt: skip
    clock = app.pipeline.clock
    auth = ManagerAuth(telegram.bot, settings.managers_chat_id, settings.manager_ids)
    telegram.staff = ManagersDesk(telegram.bot, app.db, auth, chats, clock)
    return ManagersSender(telegram.bot, app.db, chats, clock)
