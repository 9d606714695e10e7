"""The future moment a customer names: "через неделю", "завтра вечером", "after the 10th".

The patterns of `moment_rules` read the pieces; here they are put together. Pieces that
disagree ("завтра или в пятницу") give no moment at all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo

from chatbot.intents import moment_words as words
from chatbot.intents.cues import near
from chatbot.intents.moment_rules import Piece, next_weekday, pieces
from chatbot.intents.normalize import normalize

_WORD = re.compile(r"[a-zа-я]+")
_PAST = re.compile(rf"\b(?:{words.PAST})\b")
# `normalize` squeezes "999" to "9" as it squeezes "завтраааа"; such a number is misread
_SAME_DIGITS = re.compile(r"(\d)\1\1")


def named_moment(
    text: str, now: datetime, tz: tzinfo, day_hour: time = time(11, 0)
) -> datetime | None:
    """The future moment a message names, aware in `tz`, or None when it names none.

    A day named without a time of day ("через неделю", "в пятницу") means `day_hour` on
    that day, in `tz`; "через 2 часа" is exact; a time of day alone ("вечером", "в 15:00")
    is today's. Days are counted in `tz`'s calendar and a weekday is never today.
    "На этой неделе" is its Friday, "на следующей неделе" its Monday. A past reference
    anywhere ("вчера", "неделю назад") and pieces that disagree give None, and so does a
    moment not strictly after `now`.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    plain = _fix_typos(normalize(text))
    if _PAST.search(plain) or _SAME_DIGITS.search(text):
        return None  # "в прошлый понедельник", "неделю назад": no future moment is promised
    local = now.astimezone(tz)
    moment = _combine(list(pieces(plain, local.date())), local, tz, day_hour)
    return moment if moment is not None and moment > now else None


def _fix_typos(text: str) -> str:
    return _WORD.sub(lambda m: _fixed(m.group()), text)


def _fixed(word: str) -> str:
    if word in words.ALIASES:
        return words.ALIASES[word]
    if len(word) < 4 or word in words.NOT_TYPOS:
        return word
    for target in words.TYPO_TARGETS:
        # the first letter must agree: people rarely mistype it
        if word[0] == target[0] and near(word, target):
            return target
    return word


def _hour(hour: int, morning: bool | None, literal: bool) -> int | None:
    if morning is None:
        # a shop's day: "в 5" is 17:00, "в 9" is 9:00
        return hour if literal or hour == 0 or hour >= 8 else hour + 12
    if hour > 12:
        return None if morning else hour
    if morning:
        return 0 if hour == 12 else hour
    return hour if hour == 12 else hour + 12


def _time(found: list[Piece], named_day: bool) -> tuple[bool, time | None]:
    """Whether the pieces agree on a time of day, and the time (None if they name none)."""
    parts = {p.part for p in found if p.part}
    # a bare "в 7" is a clock time only next to a day or a part of it ("вечером в 7")
    clocks = {p.clock for p in found if p.clock and (named_day or parts or not p.weak)}
    if len(clocks) > 1 or len(parts) > 1:
        return False, None
    part = next(iter(parts), None)
    if not clocks:
        return True, None if part is None else part[0]
    hour, minute, morning, literal = clocks.pop()
    if morning is None and part is not None:
        morning = part[1]  # "вечером в 7" is 19:00
    resolved = _hour(hour, morning, literal)
    return resolved is not None, None if resolved is None else time(resolved, minute)


def _combine(found: list[Piece], local: datetime, tz: tzinfo, day_hour: time) -> datetime | None:
    today = local.date()
    days = {p.day for p in found if p.day is not None}
    weekdays = {p.weekday for p in found if p.weekday is not None}
    weeks = {p.week for p in found if p.week is not None}
    spans = {p.span for p in found if p.span is not None}
    if len(weekdays) > 1 or len(weeks) > 1:
        return None
    if weeks:
        monday, alone = weeks.pop()
        day = monday + timedelta(days=weekdays.pop() if weekdays else alone)
        if day <= today:
            return None  # "на этой неделе" said on a Friday: no day of it is left
        days.add(day)
    elif weekdays:
        days.add(next_weekday(today, weekdays.pop()))
    if len(days) > 1:
        return None
    agreed, at = _time(found, named_day=bool(days))
    if not agreed:
        return None
    if spans:
        if len(spans) > 1 or days or at is not None:
            return None  # "через час завтра": two answers
        return (local.astimezone(UTC) + spans.pop()).astimezone(tz)
    if not days:
        return None if at is None else datetime.combine(today, at, tzinfo=tz)
    day = days.pop()
    if day == today and at is None:
        return None  # a bare "сегодня" names no moment
    return datetime.combine(day, at or day_hour, tzinfo=tz)
