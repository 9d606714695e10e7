"""Wiring the managers' chat onto the Telegram channel from settings."""

from __future__ import annotations

import logging
from html import escape
from zoneinfo import ZoneInfo

from aiogram.exceptions import AiogramError
from aiogram.types import ReplyParameters

from chatbot.channels.graph_media import GraphMedia
from chatbot.channels.telegram import TelegramChannel
from chatbot.channels.whatsapp import WhatsAppChannel
from chatbot.channels.whatsapp_files import WhatsAppFiles
from chatbot.config import Settings
from chatbot.engine.step import calendar_of
from chatbot.engine.worktime import WorkCalendar
from chatbot.managers.auth import ManagerAuth
from chatbot.managers.desk import ManagersDesk
from chatbot.managers.digest import WeeklyDigest
from chatbot.managers.media_post import MediaPoster
from chatbot.managers.sender import ManagersSender
from chatbot.managers.staff_posts import StaffChats
from chatbot.service.app import App

log = logging.getLogger(__name__)


def attach_managers(
    settings: Settings, telegram: TelegramChannel, app: App
) -> ManagersSender | None:
    """Serve the managers' chat through this bot; the sender of the `managers` outbox rows."""
    if settings.managers_chat_id is None:
        return None
    shop = app.flows.shop
    # The texts of the admin files in use, read from the snapshot a reload swaps in.
    chats = StaffChats(
        settings.managers_chat_id,
        settings.supervisor_chat_id,
        lambda: app.wording,
        ZoneInfo(shop.timezone),
        shop.name,
        shop.default_lang,
    )
    clock = app.pipeline.clock
    auth = ManagerAuth(telegram.bot, settings.managers_chat_id, settings.manager_ids)
    telegram.staff = ManagersDesk(telegram.bot, app.db, auth, chats, clock)
    return ManagersSender(telegram.bot, app.db, chats, clock)


def share_media(
    settings: Settings, managers: ManagersSender, whatsapp: WhatsAppChannel | None
) -> GraphMedia | None:
    """Media both ways between the managers' chat and WhatsApp; the Graph client to close."""
    if whatsapp is None or settings.whatsapp_token is None:
        return None
    graph = GraphMedia(
        settings.whatsapp_api_base,
        settings.whatsapp_phone_number_id or "",
        settings.whatsapp_token.get_secret_value(),
    )
    managers.media = MediaPoster(managers.bot, graph)

    async def note(source: str, reason: str) -> None:
        """Tell the manager, under their message, why their file did not reach the customer."""
        chat, _, message_id = source.partition(":")
        text = managers.chats.words.media_failed.format(reason=escape(reason))
        try:
            await managers.bot.send_message(
                chat_id=int(chat),
                text=text,
                parse_mode="HTML",
                reply_parameters=ReplyParameters(
                    message_id=int(message_id), allow_sending_without_reply=True
                ),
            )
        except (AiogramError, ValueError) as exc:
            log.warning("managers.note_failed", extra={"error": type(exc).__name__})

    whatsapp.sender().files = WhatsAppFiles(managers.bot, graph, note)
    return graph


def weekly_digest(sender: ManagersSender, app: App) -> WeeklyDigest:
    """The Monday digest to the supervisor's chat, on while the flows' shop.weekly_digest is."""

    def calendar() -> WorkCalendar | None:
        return calendar_of(app.flows) if app.flows.shop.weekly_digest else None

    return WeeklyDigest(sender.bot, sender.db, sender.chats, sender.clock, calendar)
