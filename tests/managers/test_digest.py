"""The weekly digest: due on Monday when the shop opens, sent once by one of two instances."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chatbot.admin_files.loader import load_flows
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.engine.flowset import FlowSet
from chatbot.engine.manager_wording import RU
from chatbot.engine.step import calendar_of
from chatbot.engine.worktime import WorkCalendar
from chatbot.managers.digest import WeeklyDigest, due_at
from chatbot.managers.staff_posts import StaffChats
from tests.channels import updates as u
from tests.channels.fake_bot_api import FakeBotApi
from tests.conftest import ROOT
from tests.managers.conftest import SUPERVISOR_ID

MSK = ZoneInfo("Europe/Moscow")
MONDAY_MORNING = datetime(2026, 3, 16, 9, 0, tzinfo=MSK)  # before the shop opens
MONDAY_OPENING = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)  # flows/shop.yaml: 10:00-19:00


def _flows() -> FlowSet:
    return load_flows(ROOT / "flows")


def test_due_when_the_shop_opens_on_monday() -> None:
    calendar = calendar_of(_flows())
    assert due_at(date(2026, 3, 18), calendar) == MONDAY_OPENING
    assert due_at(date(2026, 3, 16), calendar) == MONDAY_OPENING
    # 8 March is a holiday (a Sunday anyway); Monday the 9th opens at 10 as usual.
    assert due_at(date(2026, 3, 9), calendar) == datetime(2026, 3, 9, 10, 0, tzinfo=MSK)


async def test_two_instances_send_one_digest_a_week(db: Database, api: FakeBotApi) -> None:
    clock = VirtualClock(MONDAY_MORNING)
    calendar = calendar_of(_flows())
    chats = StaffChats(u.GROUP_ID, SUPERVISOR_ID, RU, MSK, "Шарики и праздник", "ru")
    bots = [api.bot(), api.bot()]
    try:
        on: list[WorkCalendar | None] = [calendar]
        instances = [WeeklyDigest(bot, db, chats, clock, lambda: on[0]) for bot in bots]
        assert [await d.send_if_due() for d in instances] == [False, False]  # not open yet
        clock.set(MONDAY_OPENING + timedelta(minutes=1))
        assert [await d.send_if_due() for d in instances] == [True, False]
        assert [await d.send_if_due() for d in instances] == [False, False]
        [text] = [m["text"] for m in api.sent(SUPERVISOR_ID) if "text" in m]
        assert text.startswith("<b>Шарики и праздник · Отчёт о работе чатов · 09.03 – 15.03</b>")
        [document] = api.called("sendDocument")
        assert document["document"].filename == "report-2026-03-09-2026-03-15.html"
        assert api.sent(u.GROUP_ID) == []  # the supervisor's chat only
        # The next week's digest is due next Monday; switched off in the flows, none goes.
        clock.set(MONDAY_OPENING + timedelta(days=7))
        on[0] = None
        assert [await d.send_if_due() for d in instances] == [False, False]
        on[0] = calendar
        assert [await d.send_if_due() for d in instances] == [True, False]
    finally:
        for bot in bots:
            await bot.session.close()
