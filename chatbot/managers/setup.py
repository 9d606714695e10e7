"""Wiring the managers' chat onto the Telegram channel from settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chatbot.channels.telegram import TelegramChannel
from chatbot.config import Settings
from chatbot.engine.step import calendar_of
from chatbot.engine.validation import Validation
from chatbot.engine.worktime import WorkCalendar
from chatbot.managers.auth import ManagerAuth
from chatbot.managers.desk import ManagersDesk
from chatbot.managers.digest import WeeklyDigest
from chatbot.managers.sender import ManagersSender, StaffChats
from chatbot.service.app import App


def attach_managers(
    settings: Settings, telegram: TelegramChannel, app: App
) -> ManagersSender | None:
    """Serve the managers' chat through this bot; the sender of the `managers` outbox rows."""
    if settings.managers_chat_id is None:
        return None
    shop = app.flows.shop
    # The texts start-up validated, not a second read of files that may have changed since.
    chats = StaffChats(settings.managers_chat_id, settings.supervisor_chat_id, app.wording,
                       ZoneInfo(shop.timezone), shop.name, shop.default_lang)  # fmt: skip

    def follow(_: Validation) -> None:
        chats.words = app.wording  # `apply` has just set the reloaded texts

    app.followers.append(follow)
    clock = app.pipeline.clock
    auth = ManagerAuth(telegram.bot, settings.managers_chat_id, settings.manager_ids)
    telegram.staff = ManagersDesk(telegram.bot, app.db, auth, chats, clock)
    return ManagersSender(telegram.bot, app.db, chats, clock)


def weekly_digest(sender: ManagersSender, app: App) -> WeeklyDigest:
    """The Monday digest to the supervisor's chat, on while the flows' shop.weekly_digest is."""

    def calendar() -> WorkCalendar | None:
        return calendar_of(app.flows) if app.flows.shop.weekly_digest else None

    return WeeklyDigest(sender.bot, sender.db, sender.chats, sender.clock, calendar)
