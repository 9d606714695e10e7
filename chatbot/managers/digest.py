"""The weekly digest: last week's report to the supervisor on Monday when the shop opens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import BufferedInputFile

from chatbot.core.clock import Clock
from chatbot.db.database import Database
from chatbot.db.digests import claim_week
from chatbot.engine.worktime import WorkCalendar
from chatbot.managers.report_chat import headline_text, last_week, page_name
from chatbot.managers.staff_posts import StaffChats
from chatbot.service.report import build_report
from chatbot.service.report_html import render_html

log = logging.getLogger(__name__)
CHECK_SECONDS = 60.0


def due_at(today: date, calendar: WorkCalendar) -> datetime:
    """When this week's digest is due: the shop's first open moment on or after Monday."""
    monday = today - timedelta(days=today.weekday())
    return calendar.next_open(datetime.combine(monday, time(0), tzinfo=calendar.tz))


class WeeklyDigest:
    """Sends each week's digest once, whichever instance of the bot gets there first."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        chats: StaffChats,
        clock: Clock,
        calendar: Callable[[], WorkCalendar | None],
    ) -> None:
        """`calendar` gives the shop's hours when the digest is on (None: off), after reloads."""
        self.bot, self.db, self.chats, self.clock = bot, db, chats, clock
        self.calendar = calendar

    async def send_if_due(self) -> bool:
        """Send this week's digest if it is due and no instance has claimed it; True if sent."""
        calendar = self.calendar()
        if calendar is None:
            return False
        now = self.clock.now()
        today = now.astimezone(calendar.tz).date()
        if now < due_at(today, calendar):
            return False
        year, week, _ = today.isocalendar()
        # At most once: a send that fails after the claim is logged, not repeated.
        if not await self.db.write(claim_week, f"{year}-W{week:02d}", now):
            return False
        first, last = last_week(today)
        report = await build_report(self.db, first, last, calendar.tz)
        chat = self.chats.supervisor or self.chats.managers
        try:
            await self.bot.send_message(
                chat_id=chat,
                parse_mode="HTML",
                text=headline_text(report.figures, self.chats.shop, self.chats.lang),
            )
            page = render_html(report, self.chats.shop, self.chats.lang, calendar.tz, now)
            document = BufferedInputFile(page.encode("utf-8"), page_name(first, last))
            await self.bot.send_document(chat_id=chat, document=document)
        except AiogramError as exc:
            log.warning("managers.digest_failed", extra={"error": type(exc).__name__})
            return False
        log.info("managers.digest_sent", extra={"week": f"{year}-W{week:02d}"})
        return True

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Check once a minute until `stop` is set."""
        while not stop.is_set():
            try:
                await self.send_if_due()
            except Exception:
                log.exception("managers.digest_loop_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=CHECK_SECONDS)
