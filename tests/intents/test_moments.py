"""The future moment a customer names, read on Wednesday 2026-03-04 12:00 in Moscow."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatbot.intents.moments import named_moment

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=MSK)  # a Wednesday


def _read(text: str, now: datetime = NOW, **kwargs: time) -> str | None:
    moment = named_moment(text, now, MSK, **kwargs)
    return None if moment is None else f"{moment:%a %Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("через неделю", "Wed 2026-03-11 11:00"),
        ("вернусь через неделю", "Wed 2026-03-11 11:00"),
        ("Вернусь через неделю!", "Wed 2026-03-11 11:00"),
        ("ок давай через недельку 🙏", "Wed 2026-03-11 11:00"),
        ("через 2 недели", "Wed 2026-03-18 11:00"),
        ("через две недели", "Wed 2026-03-18 11:00"),
        ("через пару недель", "Wed 2026-03-18 11:00"),
        ("через пару дней", "Fri 2026-03-06 11:00"),
        ("через денек", "Thu 2026-03-05 11:00"),
        ("через 3 дня", "Sat 2026-03-07 11:00"),
        ("через три дня напишу", "Sat 2026-03-07 11:00"),
        ("через 2-3 дня", "Sat 2026-03-07 11:00"),
        ("через 2 или 3 недели", "Wed 2026-03-25 11:00"),
        ("через несколько дней", "Sat 2026-03-07 11:00"),
        ("через месяц", "Fri 2026-04-03 11:00"),
        ("через 2 месяца", "Sun 2026-05-03 11:00"),
        ("через неделю вечером", "Wed 2026-03-11 18:00"),
        ("in a week", "Wed 2026-03-11 11:00"),
        ("i'll be back in a week", "Wed 2026-03-11 11:00"),
        ("in 3 days", "Sat 2026-03-07 11:00"),
        ("in two weeks", "Wed 2026-03-18 11:00"),
        ("in a couple of days", "Fri 2026-03-06 11:00"),
        ("in a few days", "Sat 2026-03-07 11:00"),
        ("in a month", "Fri 2026-04-03 11:00"),
        ("after 2 days", "Fri 2026-03-06 11:00"),
    ],
)
def test_days_from_now(text: str, moment: str) -> None:
    assert _read(text) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("через час", "Wed 2026-03-04 13:00"),
        ("черз час", "Wed 2026-03-04 13:00"),
        ("через 2 часа", "Wed 2026-03-04 14:00"),
        ("через пару часиков", "Wed 2026-03-04 14:00"),
        ("через полчаса", "Wed 2026-03-04 12:30"),
        ("через пол часа", "Wed 2026-03-04 12:30"),
        ("через полтора часа", "Wed 2026-03-04 13:30"),
        ("через 10 минут", "Wed 2026-03-04 12:10"),
        ("через 5 мин", "Wed 2026-03-04 12:05"),
        ("через пятнадцать минут", "Wed 2026-03-04 12:15"),
        ("in an hour", "Wed 2026-03-04 13:00"),
        ("in 2 hours", "Wed 2026-03-04 14:00"),
        ("in half an hour", "Wed 2026-03-04 12:30"),
        ("in an hour and a half", "Wed 2026-03-04 13:30"),
        ("in 20 mins", "Wed 2026-03-04 12:20"),
    ],
)
def test_hours_from_now_are_exact(text: str, moment: str) -> None:
    assert _read(text) == moment


def test_a_span_keeps_the_minutes_of_now() -> None:
    now = datetime(2026, 3, 4, 12, 7, 30, tzinfo=MSK)
    assert named_moment("через час", now, MSK) == now + timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("завтра", "Thu 2026-03-05 11:00"),
        ("Завтра напишу", "Thu 2026-03-05 11:00"),
        ("завтро", "Thu 2026-03-05 11:00"),
        ("до завтра", "Thu 2026-03-05 11:00"),
        ("послезавтра", "Fri 2026-03-06 11:00"),
        ("после завтра", "Fri 2026-03-06 11:00"),
        ("tomorrow", "Thu 2026-03-05 11:00"),
        ("tommorow", "Thu 2026-03-05 11:00"),
        ("tmrw", "Thu 2026-03-05 11:00"),
        ("the day after tomorrow", "Fri 2026-03-06 11:00"),
        ("в понедельник", "Mon 2026-03-09 11:00"),
        ("в пн", "Mon 2026-03-09 11:00"),
        ("в понедельнеке", "Mon 2026-03-09 11:00"),
        ("до понедельника", "Mon 2026-03-09 11:00"),
        ("с понедельника", "Mon 2026-03-09 11:00"),
        ("к понедельнику", "Mon 2026-03-09 11:00"),
        ("во вторник", "Tue 2026-03-10 11:00"),
        ("во вт", "Tue 2026-03-10 11:00"),
        ("в среду", "Wed 2026-03-11 11:00"),
        ("в ср", "Wed 2026-03-11 11:00"),
        ("в четверг", "Thu 2026-03-05 11:00"),
        ("в пятницу", "Fri 2026-03-06 11:00"),
        ("до пт", "Fri 2026-03-06 11:00"),
        ("в субботу", "Sat 2026-03-07 11:00"),
        ("в сб", "Sat 2026-03-07 11:00"),
        ("в воскресенье", "Sun 2026-03-08 11:00"),
        ("в вс", "Sun 2026-03-08 11:00"),
        ("в следующий понедельник", "Mon 2026-03-09 11:00"),
        ("в эту пятницу", "Fri 2026-03-06 11:00"),
        ("после понедельника", "Tue 2026-03-10 11:00"),
        ("on Monday", "Mon 2026-03-09 11:00"),
        ("monday", "Mon 2026-03-09 11:00"),
        ("next monday", "Mon 2026-03-09 11:00"),
        ("by Friday", "Fri 2026-03-06 11:00"),
        ("on sat", "Sat 2026-03-07 11:00"),
        ("by fri", "Fri 2026-03-06 11:00"),
        ("wednesday", "Wed 2026-03-11 11:00"),
        ("в выходные", "Sat 2026-03-07 11:00"),
        ("на выходных", "Sat 2026-03-07 11:00"),
        ("в эти выходные", "Sat 2026-03-07 11:00"),
        ("on the weekend", "Sat 2026-03-07 11:00"),
        ("this weekend", "Sat 2026-03-07 11:00"),
        ("после выходных", "Mon 2026-03-09 11:00"),
        ("after the weekend", "Mon 2026-03-09 11:00"),
    ],
)
def test_named_days(text: str, moment: str) -> None:
    assert _read(text) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("на следующей неделе", "Mon 2026-03-09 11:00"),
        ("со следующей недели", "Mon 2026-03-09 11:00"),
        ("next week", "Mon 2026-03-09 11:00"),
        ("в среду на следующей неделе", "Wed 2026-03-11 11:00"),
        ("на следующей неделе в пятницу", "Fri 2026-03-13 11:00"),
        ("next week on tuesday", "Tue 2026-03-10 11:00"),
        ("на этой неделе", "Fri 2026-03-06 11:00"),
        ("до конца недели", "Fri 2026-03-06 11:00"),
        ("в конце недели", "Fri 2026-03-06 11:00"),
        ("this week", "Fri 2026-03-06 11:00"),
        ("by the end of the week", "Fri 2026-03-06 11:00"),
        ("в четверг на этой неделе", "Thu 2026-03-05 11:00"),
        ("в конце следующей недели", "Fri 2026-03-13 11:00"),
        ("в следующем месяце", "Wed 2026-04-01 11:00"),
        ("next month", "Wed 2026-04-01 11:00"),
    ],
)
def test_weeks_and_months(text: str, moment: str) -> None:
    assert _read(text) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("после 10-го", "Wed 2026-03-11 11:00"),
        ("после 10 числа", "Wed 2026-03-11 11:00"),
        ("после 10го", "Wed 2026-03-11 11:00"),
        ("10-го", "Tue 2026-03-10 11:00"),
        ("10 числа", "Tue 2026-03-10 11:00"),
        ("к 10-му", "Tue 2026-03-10 11:00"),
        ("с 10-го числа", "Tue 2026-03-10 11:00"),
        ("2-го", "Thu 2026-04-02 11:00"),
        ("4-го", "Sat 2026-04-04 11:00"),
        ("после 3-го", "Sat 2026-04-04 11:00"),
        ("после 4-го", "Thu 2026-03-05 11:00"),
        ("15 марта", "Sun 2026-03-15 11:00"),
        ("к 15 марта", "Sun 2026-03-15 11:00"),
        ("после 15 марта", "Mon 2026-03-16 11:00"),
        ("1 апреля", "Wed 2026-04-01 11:00"),
        ("3 марта", "Wed 2027-03-03 11:00"),
        ("9 мая", "Sat 2026-05-09 11:00"),
        ("after the 10th", "Wed 2026-03-11 11:00"),
        ("on the 15th", "Sun 2026-03-15 11:00"),
        ("by the 20th", "Fri 2026-03-20 11:00"),
        ("March 15", "Sun 2026-03-15 11:00"),
        ("march 15th", "Sun 2026-03-15 11:00"),
        ("15 March", "Sun 2026-03-15 11:00"),
        ("the 2nd of april", "Thu 2026-04-02 11:00"),
        ("may 5", "Tue 2026-05-05 11:00"),
        ("в пятницу 6-го", "Fri 2026-03-06 11:00"),
        ("15 марта в 15:00", "Sun 2026-03-15 15:00"),
    ],
)
def test_dates(text: str, moment: str) -> None:
    assert _read(text) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("вечером", "Wed 2026-03-04 18:00"),
        ("вечерком", "Wed 2026-03-04 18:00"),
        ("ближе к вечеру", "Wed 2026-03-04 18:00"),
        ("днем", "Wed 2026-03-04 14:00"),
        ("днём", "Wed 2026-03-04 14:00"),
        ("в обед", "Wed 2026-03-04 13:00"),
        ("tonight", "Wed 2026-03-04 18:00"),
        ("сегодня вечером", "Wed 2026-03-04 18:00"),
        ("завтра вечером", "Thu 2026-03-05 18:00"),
        ("завтра утром", "Thu 2026-03-05 10:00"),
        ("завтра с утра", "Thu 2026-03-05 10:00"),
        ("завтра днем", "Thu 2026-03-05 14:00"),
        ("завтра к обеду", "Thu 2026-03-05 13:00"),
        ("в пятницу после обеда", "Fri 2026-03-06 14:00"),
        ("tomorrow evening", "Thu 2026-03-05 18:00"),
        ("tomorrow morning", "Thu 2026-03-05 10:00"),
        ("в понедельник утром", "Mon 2026-03-09 10:00"),
        ("а можно в четверг вечером", "Thu 2026-03-05 18:00"),
        ("on monday afternoon", "Mon 2026-03-09 14:00"),
    ],
)
def test_parts_of_the_day(text: str, moment: str) -> None:
    assert _read(text) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("в 15:00", "Wed 2026-03-04 15:00"),
        ("к 18:00", "Wed 2026-03-04 18:00"),
        ("в 15.30", "Wed 2026-03-04 15:30"),
        ("в 3 часа дня", "Wed 2026-03-04 15:00"),
        ("в 8 вечера", "Wed 2026-03-04 20:00"),
        ("at 3pm", "Wed 2026-03-04 15:00"),
        ("at 3 pm", "Wed 2026-03-04 15:00"),
        ("5pm", "Wed 2026-03-04 17:00"),
        ("at 15:30", "Wed 2026-03-04 15:30"),
        ("вечером в 7", "Wed 2026-03-04 19:00"),
        ("завтра в 15:00", "Thu 2026-03-05 15:00"),
        ("завтра в 10 утра", "Thu 2026-03-05 10:00"),
        ("завтра в 7 утра", "Thu 2026-03-05 07:00"),
        ("завтра утром в 7", "Thu 2026-03-05 07:00"),
        ("в 07:30 завтра", "Thu 2026-03-05 07:30"),
        ("завтра в 5", "Thu 2026-03-05 17:00"),
        ("завтра в 9", "Thu 2026-03-05 09:00"),
        ("завтра в 3:00", "Thu 2026-03-05 15:00"),
        ("приду завтра в 3 часа дня", "Thu 2026-03-05 15:00"),
        ("в среду в 10:30", "Wed 2026-03-11 10:30"),
        ("в пн к 12", "Mon 2026-03-09 12:00"),
        ("tomorrow at 3", "Thu 2026-03-05 15:00"),
        ("tomorrow at 10am", "Thu 2026-03-05 10:00"),
        ("tomorrow 5pm", "Thu 2026-03-05 17:00"),
        ("friday at 12 noon", "Fri 2026-03-06 12:00"),
        ("today at 5pm", "Wed 2026-03-04 17:00"),
    ],
)
def test_clock_times(text: str, moment: str) -> None:
    assert _read(text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "",
        "подумаю",
        "я подумаю и напишу",
        "сколько стоит доставка",
        "позже",
        "попозже напишу",
        "later",
        "ок",
        "сегодня",
        "today",
        "на днях",
        "в 5",
        "в 3 шара",
        "в 11",  # a bare hour needs a day; 11:00 has passed anyway
        "утром",  # today's morning is over at noon
        "в 10 утра",
        "в 10:00",
        "в прошлый понедельник",
        "на прошлой неделе",
        "вчера",
        "позавчера",
        "неделю назад",
        "3 дня назад",
        "yesterday",
        "a week ago",
        "last monday",
        "last week",
        "завтра или послезавтра",
        "завтра или в пятницу",
        "в пятницу или субботу",
        "через неделю или через 2 недели",
        "через час завтра",
        "в пятницу 7-го",
        "с 15 до 17 завтра",
        "не завтра",
        "не в понедельник",
        "в 24:00",
        "15.03.2026",
        "через 0 дней",
        "через 999 дней",
        "31 февраля",
        "I sat there",
        "sun is shining",
        "вс",
        "среди прочего",
        "после завтрака",
        "заказ 12345",
        "+7 999 123-45-67",
        "на той неделе",
    ],
)
def test_no_moment(text: str) -> None:
    assert _read(text) is None


def test_a_ruled_out_day_leaves_the_other() -> None:
    assert _read("не завтра а в пятницу") == "Fri 2026-03-06 11:00"
    assert _read("not tomorrow, on friday") == "Fri 2026-03-06 11:00"


def test_a_weekday_is_never_today() -> None:
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=MSK)
    assert _read("в понедельник", monday) == "Mon 2026-03-16 11:00"
    assert _read("в понедельник", monday.replace(hour=23)) == "Mon 2026-03-16 11:00"
    assert _read("на следующей неделе", monday) == "Mon 2026-03-16 11:00"
    assert _read("в выходные", datetime(2026, 3, 7, 9, 0, tzinfo=MSK)) == "Sat 2026-03-14 11:00"


def test_this_week_is_over_on_friday() -> None:
    friday = datetime(2026, 3, 6, 9, 0, tzinfo=MSK)
    assert _read("на этой неделе", friday) is None
    assert _read("в четверг на этой неделе", friday) is None
    assert _read("на этой неделе", datetime(2026, 3, 5, 9, 0, tzinfo=MSK)) == "Fri 2026-03-06 11:00"


def test_the_moment_must_be_after_now() -> None:
    evening = datetime(2026, 3, 4, 19, 0, tzinfo=MSK)
    assert _read("вечером", evening) is None
    assert _read("в 15:00", evening) is None
    assert _read("завтра вечером", evening) == "Thu 2026-03-05 18:00"
    assert _read("вечером", datetime(2026, 3, 4, 18, 0, tzinfo=MSK)) is None  # not after now


def test_day_hour_is_the_time_of_a_day_named_alone() -> None:
    assert _read("завтра", day_hour=time(9, 30)) == "Thu 2026-03-05 09:30"
    assert _read("через неделю", day_hour=time(16)) == "Wed 2026-03-11 16:00"
    assert _read("завтра вечером", day_hour=time(9, 30)) == "Thu 2026-03-05 18:00"
    assert _read("через час", day_hour=time(9, 30)) == "Wed 2026-03-04 13:00"


@pytest.mark.parametrize(
    ("now", "text", "moment"),
    [
        (datetime(2026, 3, 31, 12, tzinfo=MSK), "через неделю", "Tue 2026-04-07 11:00"),
        (datetime(2026, 3, 31, 12, tzinfo=MSK), "завтра", "Wed 2026-04-01 11:00"),
        (datetime(2026, 3, 31, 12, tzinfo=MSK), "1-го", "Wed 2026-04-01 11:00"),
        (datetime(2026, 3, 31, 12, tzinfo=MSK), "после 30-го", "Fri 2026-05-01 11:00"),
        (datetime(2026, 4, 5, 12, tzinfo=MSK), "31-го", "Sun 2026-05-31 11:00"),
        (datetime(2026, 4, 5, 12, tzinfo=MSK), "после 31 числа", "Mon 2026-06-01 11:00"),
        (datetime(2026, 2, 20, 12, tzinfo=MSK), "30 числа", "Mon 2026-03-30 11:00"),
        (datetime(2026, 2, 20, 12, tzinfo=MSK), "после 28-го", "Sun 2026-03-01 11:00"),
        (datetime(2026, 12, 30, 12, tzinfo=MSK), "через неделю", "Wed 2027-01-06 11:00"),
        (datetime(2026, 12, 30, 12, tzinfo=MSK), "10-го", "Sun 2027-01-10 11:00"),
        (datetime(2026, 12, 30, 12, tzinfo=MSK), "15 января", "Fri 2027-01-15 11:00"),
        (datetime(2026, 12, 30, 12, tzinfo=MSK), "в следующем месяце", "Fri 2027-01-01 11:00"),
        (datetime(2026, 12, 31, 23, 30, tzinfo=MSK), "через час", "Fri 2027-01-01 00:30"),
        (datetime(2026, 3, 4, 12, tzinfo=MSK), "29 февраля", "Tue 2028-02-29 11:00"),
    ],
)
def test_month_and_year_boundaries(now: datetime, text: str, moment: str) -> None:
    assert _read(text, now) == moment


def test_the_result_is_aware_in_tz() -> None:
    moment = named_moment("завтра", NOW, MSK)
    assert moment is not None
    assert moment.tzinfo is MSK
    assert moment.utcoffset() == timedelta(hours=3)


def test_days_are_counted_in_the_calendar_of_tz() -> None:
    # 21:30 UTC on the 4th is already the 5th in Moscow
    late = datetime(2026, 3, 4, 21, 30, tzinfo=UTC)
    moment = named_moment("завтра", late, MSK)
    assert moment == datetime(2026, 3, 6, 11, 0, tzinfo=MSK)
    assert moment is not None
    assert moment.tzinfo is MSK


def test_a_span_across_a_clock_change_is_exact() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # clocks go forward at 02:00 on 2026-03-29
    now = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)
    moment = named_moment("in 2 hours", now, berlin)
    assert moment is not None
    assert moment.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=2)
    assert (moment.hour, moment.minute) == (4, 30)
    assert named_moment("завтра", now, berlin) == datetime(2026, 3, 30, 11, 0, tzinfo=berlin)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        named_moment("завтра", NOW.replace(tzinfo=None), MSK)
