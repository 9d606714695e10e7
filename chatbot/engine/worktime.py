"""Working-time arithmetic: opening hours, holidays and the shop's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from chatbot.engine.spec_shop import WEEKDAYS, ShopSettings, parse_hours

_SEARCH_DAYS = 400  # a calendar with no open day within a year is treated as always open


class WorkCalendar:
    """Answers 'is the shop open', 'when does it open next' and adds working time."""

    def __init__(self, shop: ShopSettings) -> None:
        self.tz = ZoneInfo(shop.timezone)
        self.holidays = frozenset(shop.holidays)
        self.hours: dict[int, tuple[time, time]] = {}
        for day, span in shop.working_hours.items():
            if span is not None:
                self.hours[WEEKDAYS.index(day)] = parse_hours(span)

    @cached_property
    def never_open(self) -> bool:
        """True when no weekday has hours (then every moment counts as open)."""
        return not self.hours

    def local(self, moment: datetime) -> datetime:
        """The moment in the shop's time zone."""
        return moment.astimezone(self.tz)

    def _span(self, day: date) -> tuple[datetime, datetime] | None:
        if day in self.holidays:
            return None
        hours = self.hours.get(day.weekday())
        if hours is None:
            return None
        opens = datetime.combine(day, hours[0], tzinfo=self.tz)
        closes = datetime.combine(day, hours[1], tzinfo=self.tz)
        return opens.astimezone(UTC), closes.astimezone(UTC)

    def is_open(self, moment: datetime) -> bool:
        """Whether the shop works at this moment."""
        if self.never_open:
            return True
        span = self._span(self.local(moment).date())
        return span is not None and span[0] <= moment < span[1]

    def next_open(self, moment: datetime) -> datetime:
        """The first open moment at or after `moment`."""
        if self.never_open:
            return moment
        day = self.local(moment).date()
        for offset in range(_SEARCH_DAYS):
            span = self._span(day + timedelta(days=offset))
            if span is None:
                continue
            if moment < span[1]:
                return max(moment, span[0])
        return moment

    def add_working(self, start: datetime, delta: timedelta) -> datetime:
        """The moment when `delta` of working time has passed since `start`."""
        if self.never_open:
            return start + delta
        left = delta
        cursor = self.next_open(start)
        for _ in range(_SEARCH_DAYS * 2):
            span = self._span(self.local(cursor).date())
            assert span is not None  # next_open only returns open moments
            room = span[1] - cursor
            if left <= room:
                return cursor + left
            left -= room
            cursor = self.next_open(span[1])
        return cursor + left

    def working_between(self, start: datetime, end: datetime) -> timedelta:
        """How much working time lies between two moments."""
        if end <= start:
            return timedelta(0)
        if self.never_open:
            return end - start
        total = timedelta(0)
        cursor = self.next_open(start)
        for _ in range(_SEARCH_DAYS * 2):
            if cursor >= end:
                break
            span = self._span(self.local(cursor).date())
            assert span is not None
            total += min(end, span[1]) - cursor
            cursor = self.next_open(span[1])
        return total
