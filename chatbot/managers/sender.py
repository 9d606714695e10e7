"""The managers' outbox sender: task cards, SLA alerts, card updates and relayed messages."""

from __future__ import annotations

from collections import OrderedDict
from html import escape
from typing import Final

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup

from chatbot.core.clock import Clock
from chatbot.core.outbox_messages import CardPost, CardRefresh, ManagerAlert, MediaRelay, Relay
from chatbot.db import cards, reports
from chatbot.db.cards import DialogRef, Post, TaskCard
from chatbot.db.database import Database
from chatbot.managers.card import (
    buttons,
    card_text,
    customer_label,
    relay_text,
    sla_text,
    supervisor_text,
)
from chatbot.managers.commands import start_of_day
from chatbot.managers.media_post import MediaPoster
from chatbot.managers.staff_posts import StaffChats, StaffPosts, keyboard
from chatbot.ports.outbound import OutgoingMessage, SendFailed

RECENT: Final = 5
_REMEMBERED: Final = 10_000


class ManagersSender:
    """Delivers the outbox rows of the `managers` channel to Telegram chats."""

    def __init__(self, bot: Bot, db: Database, chats: StaffChats, clock: Clock) -> None:
        self.bot = bot
        self.db = db
        self.chats = chats
        self.clock = clock
        # Posts already made per outbox row: a retry after a partial alert resumes after them
        # (cards are guarded by the database instead; a restart may repeat an alert).
        self._posted: OrderedDict[str, None] = OrderedDict()
        self.posts = StaffPosts(bot)
        self.media = MediaPoster(bot)  # given a Graph API client when WhatsApp is configured

    async def send(self, message: OutgoingMessage) -> None:
        """Deliver one row or raise SendFailed."""
        match message.body:
            case CardPost() as card:
                await self._post_card(int(card.task_id))
            case CardRefresh() as refresh:
                for task_id in refresh.task_ids:
                    await self._refresh(int(task_id))
            case ManagerAlert() as alert:
                await self._alert(message.idempotency_key, alert)
            case Relay() as relay:
                await self._relay(message.idempotency_key, relay)
            case MediaRelay() as media:
                await self._media(message, media)
            case _:
                refused = f"the managers' chat cannot take {message.kind!r} rows"
                raise SendFailed(refused, final=True)

    async def _post_card(self, task_id: int) -> None:
        """Post a task's card once: a card already remembered on the task is not posted again."""
        async with self.db.snapshot() as session:
            card = await cards.task_card(session, task_id)
        if card is None or card.card_message_id is not None or card.status not in cards.UNFINISHED:
            return
        text = await self._card_text(card)
        sent = await self.posts.send(self._home(card), text, self._markup(card))
        async with self.db.transaction() as session:
            await cards.remember_card(session, task_id, str(sent[0]), sent[1])
            await cards.record_post(
                session,
                Post(str(sent[0]), sent[1], card.dialog_id, task_id, "card", True),
                self.clock.now(),
            )

    def _home(self, card: TaskCard) -> int:
        """Where a task's card goes: the supervisor's tasks to their chat, if there is one."""
        if card.post_to == "supervisor" and self.chats.supervisor is not None:
            return self.chats.supervisor
        return self.chats.managers

    async def _refresh(self, task_id: int) -> None:
        """Show a task's new status on its card and its other buttoned posts."""
        async with self.db.snapshot() as session:
            card = await cards.task_card(session, task_id)
            posts = await cards.buttoned_posts(session, task_id)
        if card is None or card.card_message_id is None or card.card_chat_id is None:
            return  # not posted yet: the card will show the status it has when it is posted
        text = await self._card_text(card)
        markup = self._markup(card)
        await self.posts.edit(int(card.card_chat_id), card.card_message_id, text, markup)
        for post in posts:
            if post.kind != "card":
                await self.posts.edit(int(post.chat_id), post.message_id, None, markup)

    async def _alert(self, key: str, alert: ManagerAlert) -> None:
        """Re-announce untaken cards to managers (sla) or escalate them (supervisor)."""
        dialog_id, kind, reason = int(alert.dialog_id), alert.kind, alert.reason or ""
        async with self.db.snapshot() as session:
            waiting = await cards.cards(session, dialog_id=dialog_id, statuses=("open",))
            dialog = await cards.dialog_ref(session, dialog_id)
            since = start_of_day(self.clock.now(), self.chats.tz)
            on_duty = await reports.managers_active_since(session, since)
            tasks = await cards.has_tasks(session, dialog_id)
        if dialog is None:
            return
        if not tasks:
            await self._plain_alert(key, kind, reason, dialog)
            return
        # Only untaken tasks: one taken or closed meanwhile needs no reminder.
        for card in waiting:
            done = f"{key}:{card.task_id}"
            if done in self._posted:
                continue
            if kind == "supervisor":
                body = supervisor_text(reason, await self._card_text(card), self.chats.words)
                chat = self.chats.supervisor or self.chats.managers
                sent = await self.posts.send(chat, body, self._markup(card))
            elif card.card_message_id is None:
                await self._post_card(card.task_id)  # the card never went out: post it now
                self._remember(done)
                continue
            else:
                body = sla_text(card, reason, on_duty, self.chats.words)
                sent = await self.posts.send(
                    int(card.card_chat_id or self.chats.managers),
                    body,
                    self._markup(card),
                    card.card_message_id,
                )
            await self._record(sent, dialog_id, card.task_id, kind, True)
            self._remember(done)

    async def _plain_alert(self, key: str, kind: str, reason: str, dialog: DialogRef) -> None:
        """An alert about a dialog without tasks: the reason and who the customer is."""
        if key in self._posted:
            return
        words = self.chats.words
        head = supervisor_text(reason, "", words).strip()
        if kind != "supervisor":
            head = f"⏰ {escape(reason)}"
        who = customer_label(dialog.customer_name, dialog.phone)
        text = f"{head}\n{words.customer}: {who}"
        chat = (self.chats.supervisor if kind == "supervisor" else None) or self.chats.managers
        sent = await self.posts.send(chat, text, None)
        await self._record(sent, dialog.dialog_id, None, kind, False)
        self._remember(key)

    async def _relay(self, key: str, relay: Relay) -> None:
        """Pass a customer's message on, as a reply to the dialog's latest card."""
        if key in self._posted:
            return
        found = await self._beside_card(relay.dialog_id)
        if found is None:
            return
        dialog, card = found
        text = relay_text(
            dialog.customer_name, card.task_id if card else None, relay.text or "", self.chats.words
        )
        chat = int(card.card_chat_id) if card and card.card_chat_id else self.chats.managers
        reply_to = card.card_message_id if card else None
        sent = await self.posts.send(chat, text, None, reply_to)
        await self._record(sent, relay.dialog_id, card.task_id if card else None, "relay", False)
        self._remember(key)

    async def _media(self, message: OutgoingMessage, relay: MediaRelay) -> None:
        """A customer's photo, file or place as a reply to the dialog's latest card (or a note)."""
        if message.idempotency_key in self._posted:
            return
        found = await self._beside_card(relay.dialog_id)
        if found is None:
            return
        dialog, card = found
        task_id = card.task_id if card else None
        header = relay_text(dialog.customer_name, task_id, "", self.chats.words).strip()
        chat = int(card.card_chat_id) if card and card.card_chat_id else self.chats.managers
        chat = self.posts.chat(chat)
        reply_to = card.card_message_id if card else None
        words = self.chats.words
        posted = await self.media.post_or_note(message, relay, chat, reply_to, header, words)
        note = f"{header}\n{posted}" if isinstance(posted, str) else None
        sent = await self.posts.send(chat, note, None, reply_to) if note else (chat, int(posted))
        await self._record(sent, relay.dialog_id, task_id, "relay", False)
        self._remember(message.idempotency_key)

    async def _beside_card(self, dialog_id: int) -> tuple[DialogRef, TaskCard | None] | None:
        """The dialog and its latest posted card (else its latest task), for relayed posts."""
        async with self.db.snapshot() as session:
            dialog = await cards.dialog_ref(session, dialog_id)
            held = await cards.cards(session, dialog_id=dialog_id)
        if dialog is None:
            return None
        posted = [c for c in held if c.card_message_id is not None]
        return dialog, posted[-1] if posted else (held[-1] if held else None)

    async def _card_text(self, card: TaskCard) -> str:
        dialog = DialogRef(
            card.dialog_id, card.channel, card.chat_id, card.customer_name, card.phone, card.stage
        )
        async with self.db.snapshot() as session:
            lines = await cards.last_lines(session, dialog, RECENT)
        return card_text(card, lines, self.chats.words, self.chats.tz)

    def _markup(self, card: TaskCard) -> InlineKeyboardMarkup:
        return keyboard(buttons(card.task_id, card.status, self.chats.words))

    async def _record(
        self, sent: tuple[int, int], dialog_id: int, task_id: int | None, kind: str, keys: bool
    ) -> None:
        post = Post(str(sent[0]), sent[1], dialog_id, task_id, kind, keys)
        async with self.db.transaction() as session:
            await cards.record_post(session, post, self.clock.now())

    def _remember(self, key: str) -> None:
        self._posted[key] = None
        if len(self._posted) > _REMEMBERED:
            self._posted.popitem(last=False)
