"""Working time: opening hours, holidays, days off and the shop's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatbot.engine.spec_shop import ShopSettings
from chatbot.engine.worktime import WorkCalendar

MSK = ZoneInfo("Europe/Moscow")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=MSK)


@pytest.fixture
def cal() -> WorkCalendar:
    hours = {d: "10:00-19:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    hours.update(sat="11:00-16:00", sun=None)
    return WorkCalendar(ShopSettings(working_hours=hours, holidays=[date(2026, 3, 9)]))


def test_is_open(cal: WorkCalendar) -> None:
    assert cal.is_open(at(2, 10))
    assert not cal.is_open(at(2, 19))
    assert not cal.is_open(at(2, 9, 59))
    assert not cal.is_open(at(8, 12))  # Sunday off
    assert not cal.is_open(at(9, 12))  # a holiday


def test_next_open_skips_night_sunday_and_holiday(cal: WorkCalendar) -> None:
    assert cal.next_open(at(2, 12)) == at(2, 12)
    assert cal.next_open(at(2, 22)) == at(3, 10)
    assert cal.next_open(at(7, 17)) == at(10, 10)  # Sat after closing -> Sun off -> Mon holiday


def test_add_working_carries_over_nights(cal: WorkCalendar) -> None:
    assert cal.add_working(at(2, 17), timedelta(hours=3)) == at(3, 11)
    assert cal.add_working(at(2, 22), timedelta(minutes=5)) == at(3, 10, 5)
    assert cal.add_working(at(6, 18), timedelta(hours=2)) == at(7, 12)  # Fri -> Sat 11:00


def test_working_between(cal: WorkCalendar) -> None:
    assert cal.working_between(at(2, 18, 55), at(3, 10, 10)) == timedelta(minutes=15)
    assert cal.working_between(at(3, 12), at(3, 11)) == timedelta(0)


def test_time_zone_is_the_shops() -> None:
    cal = WorkCalendar(ShopSettings(timezone="Asia/Vladivostok"))
    utc_morning = datetime(2026, 3, 2, 1, 0, tzinfo=ZoneInfo("UTC"))  # 11:00 in Vladivostok
    assert cal.is_open(utc_morning)


def test_no_hours_means_always_open() -> None:
    cal = WorkCalendar(
        ShopSettings(
            working_hours={d: None for d in ("mon", "sun")}
            | {d: None for d in ("tue", "wed", "thu", "fri", "sat")}
        )
    )
    assert cal.is_open(at(2, 3))
    assert cal.add_working(at(2, 3), timedelta(hours=1)) == at(2, 4)
