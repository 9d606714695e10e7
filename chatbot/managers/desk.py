"""The managers' side of Telegram: card buttons, replies to customers, /tasks, /sla, /spam,
/report."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from typing import Final

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)

from chatbot.channels.telegram_updates import StaffWork
from chatbot.core.clock import Clock
from chatbot.core.events import ManagerAction, ManagerMessage, SpamCleared
from chatbot.core.media import WHATSAPP_TYPE, megabytes, whatsapp_limit
from chatbot.db import cards, reports, spam_closes
from chatbot.db.cards import TaskCard
from chatbot.db.database import Database
from chatbot.engine.manager_wording import Wording
from chatbot.managers.auth import ManagerAuth
from chatbot.managers.card import Pressed, read_button
from chatbot.managers.commands import read_command, sla_text, start_of_day, tasks_text
from chatbot.managers.report_chat import headline_text, page_name, report_days
from chatbot.managers.spam_review import (
    MAX_LISTED,
    command_argument,
    period_start,
    read_days,
    read_unspam,
    spam_text,
)
from chatbot.managers.staff_posts import StaffChats, keyboard
from chatbot.managers.updates import (
    Actor,
    ButtonPress,
    StaffMessage,
    StaffUpdate,
    read_staff_update,
)
from chatbot.ports.inbound import Inbound, InboundHandler
from chatbot.service.report import build_report
from chatbot.service.report_html import render_html
from chatbot.service.report_words import words

log = logging.getLogger(__name__)
_REMEMBERED: Final = 1_000
_NAME_SHOWN: Final = 40  # a pop-up answer holds 200 characters
Answer = tuple[str, InlineKeyboardMarkup | None]


class ManagersDesk:
    """Turns managers' updates into pipeline events and answers them in their chat."""

    def __init__(
        self, bot: Bot, db: Database, auth: ManagerAuth, chats: StaffChats, clock: Clock
    ) -> None:
        self.bot = bot
        self.db = db
        self.auth = auth
        self.chats = chats
        self.clock = clock
        ids = (chats.managers, chats.supervisor)
        self.chat_ids = frozenset(i for i in ids if i is not None)
        # Commands change nothing, so a redelivered one is only skipped from memory.
        self._answered: OrderedDict[int, None] = OrderedDict()

    @property
    def words(self) -> Wording:
        """The managers' texts now (a reload of the admin files may change them)."""
        return self.chats.words

    def claim(self, update: Update) -> StaffWork | None:
        """The work for an update from a managers' chat; None for customers' updates."""
        staff_update = read_staff_update(update, self.chat_ids, self.bot.id)
        if staff_update is None:
            return None
        return lambda handle: self.handle(staff_update, handle)

    async def handle(self, update: StaffUpdate, handle: InboundHandler) -> None:
        """Act on one update; returns once any event it caused is committed."""
        if isinstance(update, ButtonPress):
            await self._press(update, handle)
        elif isinstance(update, StaffMessage) and not update.actor.is_bot:
            await self._message(update, handle)

    async def _press(self, press: ButtonPress, handle: InboundHandler) -> None:
        pressed = read_button(press.data)
        unspam = read_unspam(press.data)
        if pressed is None and unspam is None:
            await self._answer(press.query_id, self.words.stale_button)
            return
        if not await self._allowed(press.actor, press.chat_id):
            log.info("managers.refused", extra={"kind": "button", "user": press.actor.user_id})
            await self._answer(press.query_id, self.words.refuse_button, alert=True)
            return
        if unspam is not None:
            await self._answer(press.query_id, await self._unspam(unspam, press, handle))
        elif pressed is not None:
            await self._answer(press.query_id, await self._act(pressed, press, handle))

    async def _act(self, pressed: Pressed, press: ButtonPress, handle: InboundHandler) -> str:
        """Take, close or give back a task; the answer to the press."""
        async with self.db.snapshot() as session:
            card = await cards.task_card(session, pressed.task_id)
        if card is None:
            return self.words.not_found
        refusal = self._precheck(card, pressed, press.actor)
        if refusal is not None:
            return refusal
        event = ManagerAction(pressed.action, press.actor.name)
        await handle(Inbound(card.channel, card.chat_id, event, f"callback:{press.query_id}"))
        log.info("managers.action", extra={"action": pressed.action, "task": card.task_id})
        done = {
            "take": self.words.took.format(id=card.task_id),
            "done": self.words.closed_done,
            "return_to_bot": self.words.closed_back,
        }
        return done[pressed.action]

    async def _unspam(self, dialog_id: int, press: ButtonPress, handle: InboundHandler) -> str:
        """Serve a customer a manager found no spammer; the answer to the press."""
        async with self.db.snapshot() as session:
            close = await spam_closes.spam_close(session, dialog_id)
        if close is None or close.cleared:
            return self.words.unspam_already  # cleared, or the customer wrote since
        event = SpamCleared(press.actor.name)
        key = f"callback:{press.query_id}"
        outcome = await handle(Inbound(close.channel, close.chat_id, event, key))
        if not outcome.duplicate and not any(t.type == "unflag" for t in outcome.trace):
            return self.words.unspam_already  # another manager pressed it a moment before
        log.info("managers.spam_cleared", extra={"dialog": dialog_id})
        name = close.customer_name.strip()[:_NAME_SHOWN] or "—"
        return self.words.unspam_done.format(customer=name)

    def _precheck(self, card: TaskCard, pressed: Pressed, actor: Actor) -> str | None:
        """Why a press must not reach the dialog (the task moved on), or None."""
        if card.status not in cards.UNFINISHED:
            return self.words.already_closed
        if pressed.action == "take" and card.status == "taken":
            if card.manager == actor.name:
                return self.words.yours_already
            return self.words.taken_by.format(manager=card.manager or "—")
        return None

    async def _message(self, message: StaffMessage, handle: InboundHandler) -> None:
        command = read_command(message.text, await self._username())
        if command is None and message.reply_to is None:
            return  # managers talking among themselves
        if message.update_id in self._answered:
            return
        if not await self._allowed(message.actor, message.chat_id):
            log.info("managers.refused", extra={"kind": "message", "user": message.actor.user_id})
            await self._reply(message, self.words.refuse_message)
        elif command == "report":
            await self._report(message)
        elif command is not None:
            await self._reply(message, *await self._command(command, message.text))
        else:
            await self._pass_on(message, handle)
            return
        self._remember(message.update_id)

    async def _pass_on(self, message: StaffMessage, handle: InboundHandler) -> None:
        """A reply to a card (or a relayed message) goes to that card's customer."""
        assert message.reply_to is not None
        async with self.db.snapshot() as session:
            post = await cards.find_post(session, str(message.chat_id), message.reply_to)
            dialog = await cards.dialog_ref(session, post.dialog_id) if post else None
        if dialog is None:
            await self._reply(message, self.words.which_dialog)
            return
        attachment = f"{message.chat_id}:{message.message_id}" if message.media else None
        if attachment is None and not message.text:
            await self._reply(message, self.words.text_only)
            return
        if attachment is not None and dialog.channel != "telegram":
            # Nothing can be copied to WhatsApp: the file is uploaded there when it is sent.
            refusal = self._file_refusal(message)
            if refusal is not None:
                await self._reply(message, refusal)
                return
            assert message.file is not None
            attachment = message.file.attachment()
        event = ManagerMessage(message.text or "", message.actor.name, attachment)
        key = f"{message.chat_id}:{message.message_id}"
        outcome = await handle(Inbound(dialog.channel, dialog.chat_id, event, key))
        log.info("managers.reply", extra={"dialog": dialog.dialog_id})
        if not outcome.duplicate and outcome.state and "do_not_write" in outcome.state.flags:
            await self._reply(message, self.words.not_delivered)

    def _file_refusal(self, message: StaffMessage) -> str | None:
        """Why a manager's media cannot reach a WhatsApp customer (kind or size), or None."""
        file = message.file
        if file is None or file.kind not in WHATSAPP_TYPE:
            return self.words.media_unsupported
        limit = whatsapp_limit(file)
        if limit is not None:
            return self.words.media_too_big.format(
                size=megabytes(file.size), limit=megabytes(limit)
            )
        return None

    async def _command(self, name: str, text: str | None) -> Answer:
        now = self.clock.now()
        if name == "spam":
            return await self._spam(command_argument(text), now)
        since = start_of_day(now, self.chats.tz)
        async with self.db.snapshot() as session:
            unfinished = await cards.cards(session)
            if name == "tasks":
                return tasks_text(unfinished, now, self.words), None
            figures = await reports.responses_since(session, since)
            alerts = await reports.alerts_since(session, since)
        untaken = sum(1 for c in unfinished if c.status == "open")
        return sla_text(figures, alerts, untaken, since.date(), self.words), None

    async def _spam(self, argument: str, now: datetime) -> Answer:
        """The spam closes of the period asked for, each with its "not spam" button."""
        days = read_days(argument)
        if days is None:
            return self.words.spam_usage, None
        since = period_start(now, days, self.chats.tz)
        async with self.db.snapshot() as session:
            found, total = await spam_closes.spam_closes(session, since, MAX_LISTED)
        text, rows = spam_text(found, total, since, self.words, self.chats.tz)
        return text, keyboard(rows) if rows else None

    async def _report(self, message: StaffMessage) -> None:
        """The headline figures of today, `week` or `month`, and the page as a document."""
        now = self.clock.now()
        days = report_days(command_argument(message.text), now.astimezone(self.chats.tz).date())
        if days is None:
            await self._reply(message, words(self.chats.lang)["report_usage"])
            return
        report = await build_report(self.db, *days, self.chats.tz)
        await self._reply(message, headline_text(report.figures, self.chats.shop, self.chats.lang))
        page = render_html(report, self.chats.shop, self.chats.lang, self.chats.tz, now)
        try:
            await self.bot.send_document(
                chat_id=message.chat_id,
                document=BufferedInputFile(page.encode("utf-8"), page_name(*days)),
                reply_parameters=ReplyParameters(
                    message_id=message.message_id, allow_sending_without_reply=True
                ),
            )
        except AiogramError as exc:
            log.warning("managers.report_failed", extra={"error": type(exc).__name__})

    async def _allowed(self, actor: Actor, chat_id: int | None) -> bool:
        if actor.user_id is None:
            return chat_id in self.chat_ids  # the group itself (an anonymous admin)
        return not actor.is_bot and await self.auth.allows(actor.user_id)

    async def _username(self) -> str | None:
        try:
            return (await self.bot.me()).username
        except AiogramError:
            return None  # "/tasks" still works; only "/tasks@name" needs the name

    async def _answer(self, query_id: str, text: str, alert: bool = False) -> None:
        """Stop the button's spinner with a short text; a failure here loses nothing."""
        try:
            await self.bot.answer_callback_query(query_id, text=text, show_alert=alert)
        except AiogramError as exc:
            log.warning("managers.answer_failed", extra={"error": type(exc).__name__})

    async def _reply(
        self, message: StaffMessage, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        try:
            await self.bot.send_message(
                chat_id=message.chat_id,
                text=text,
                parse_mode="HTML",
                reply_markup=markup,
                reply_parameters=ReplyParameters(
                    message_id=message.message_id, allow_sending_without_reply=True
                ),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except AiogramError as exc:
            log.warning("managers.reply_failed", extra={"error": type(exc).__name__})

    def _remember(self, update_id: int) -> None:
        self._answered[update_id] = None
        if len(self._answered) > _REMEMBERED:
            self._answered.popitem(last=False)
