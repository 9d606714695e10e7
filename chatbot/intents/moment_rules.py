"""The patterns that read a moment's pieces: a day, a weekday, a week, a span, a time of day.

A table of patterns, tried in order, turns phrases into pieces. A phrase read by one pattern
is blanked, so a later pattern does not read it again ("10-го" is a date, not a clock time).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

from chatbot.intents import moment_words as words


@dataclass(frozen=True, slots=True)
class Piece:
    """What one phrase says about the moment."""

    day: date | None = None
    weekday: int | None = None  # 0 is Monday; the week, if named, decides which one
    week: tuple[date, int] | None = None  # the week's Monday and the weekday it means alone
    span: timedelta | None = None  # "через 2 часа": an exact time from now
    clock: tuple[int, int, bool | None, bool] | None = None  # hour, minute, morning?, literal?
    weak: bool = False  # a bare "в 5": a clock time only next to a day or a part of it
    part: tuple[time, bool] | None = None  # a part of the day and whether it is morning


Reader = Callable[[re.Match[str], date], Piece | None]


_NEGATED = re.compile(r"\b(?:не|not)\s+(?:(?:в|во|на|к|до|on|by|in|at)\s+)?$")


def pieces(text: str, today: date) -> Iterator[Piece]:
    """The pieces of a moment a cleaned text names, in the order of the table."""
    for pattern, read in _RULES:
        taken: list[tuple[int, int]] = []
        for match in pattern.finditer(text):
            piece = read(match, today)
            if piece is None:
                continue
            taken.append(match.span())
            if not _NEGATED.search(text, 0, match.start()):
                yield piece  # "не завтра" names a day the customer rules out
        for start, end in taken:
            text = text[:start] + " " * (end - start) + text[end:]


def _which(word: str, *tables: tuple[str, ...]) -> int:
    for table in tables:
        for index, alternatives in enumerate(table):
            if re.fullmatch(alternatives, word):
                return index
    raise ValueError(word)  # the rule's pattern is built from these tables


def next_weekday(today: date, weekday: int) -> date:
    """The first such weekday after today (a week ahead when today is that day)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _monday(today: date, weeks_ahead: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def _next_date(today: date, day: int, month: int | None, after: bool) -> date | None:
    # The first date with this day (and month) after today, or the day following it with
    # `after` ("после 10-го"); months or years without such a day (31, 29 February) are skipped.
    if month is None:
        shifts = (divmod(today.month - 1 + k, 12) for k in range(13))
        candidates = ((today.year + years, m + 1) for years, m in shifts)
    else:
        candidates = ((today.year + k, month) for k in range(9))  # 29 February: a leap year
    for year, month_ in candidates:
        try:
            found = date(year, month_, day)
        except ValueError:
            continue
        found += timedelta(days=1 if after else 0)
        if found > today:
            return found
    return None


def _date(match: re.Match[str], today: date) -> Piece | None:
    groups = match.groupdict()
    month = groups.get("month")
    index = None if month is None else _which(month, words.MONTHS_RU, words.MONTHS_EN) + 1
    found = _next_date(today, int(groups["d"]), index, after=bool(groups["after"]))
    return None if found is None else Piece(day=found)


def _count(text: str) -> int | None:
    # "2-3 дня", "два или три": the later end, so a follow-up does not rush the customer
    values = [
        int(part) if part.isdigit() else words.COUNTS.get(re.sub(r"\s+", " ", part))
        for part in re.split(r"\s*(?:-|\bили\b|\bor\b)\s*", text)
    ]
    return max(v for v in values if v is not None) if None not in values else None


def _span(match: re.Match[str], today: date) -> Piece | None:
    count = _count(match["n"]) if match["n"] else 1
    if not count:
        return None
    unit = next(minutes for alts, minutes in words.UNITS if re.fullmatch(alts, match["unit"]))
    if unit < words.DAY:
        return Piece(span=timedelta(minutes=count * unit))
    return Piece(day=today + timedelta(days=count * unit // words.DAY))


def _minutes(minutes: int) -> Reader:
    return lambda match, today: Piece(span=timedelta(minutes=minutes))


def _in_days(days: int) -> Reader:
    return lambda match, today: Piece(day=today + timedelta(days=days))


def _next(weekday: int) -> Reader:
    return lambda match, today: Piece(day=next_weekday(today, weekday))


def _week(weeks_ahead: int, weekday: int) -> Reader:
    return lambda match, today: Piece(week=(_monday(today, weeks_ahead), weekday))


def _next_month(match: re.Match[str], today: date) -> Piece:
    return Piece(day=(today.replace(day=28) + timedelta(days=4)).replace(day=1))


def _weekday(match: re.Match[str], today: date) -> Piece:
    weekday = _which(
        match["wd"],
        words.WEEKDAYS_RU,
        words.WEEKDAYS_EN,
        words.WEEKDAYS_SHORT_RU,
        words.WEEKDAYS_SHORT_EN,
    )
    if match.groupdict().get("after"):
        return Piece(day=next_weekday(today, weekday) + timedelta(days=1))
    return Piece(weekday=weekday)


def _part(at: time, morning: bool) -> Reader:
    return lambda match, today: Piece(part=(at, morning))


def _clock(match: re.Match[str], today: date) -> Piece | None:
    hour, minute = int(match["h"]), int(match["m"] or 0)
    prep, sep, meridiem = match["prep"], match["sep"], match["mer"]
    if hour > 23 or minute > 59 or (sep == "." and not prep):
        return None  # "15.03" without "в" is as likely a date
    strong = sep is not None or bool(meridiem) or bool(prep and match["hours"])
    if not (strong or prep):
        return None
    morning: bool | None = None
    if meridiem:
        morning = meridiem in ("утра", "ночи") or meridiem.startswith("a")
        morning = morning or (meridiem == "дня" and 7 <= hour <= 11)
    literal = match["h"].startswith("0")  # "07:30" is written on a 24-hour clock
    return Piece(clock=(hour, minute, morning, literal), weak=not strong)


# --- the table ---------------------------------------------------------------------------------


def _any(alternatives: tuple[str, ...]) -> str:
    return "|".join(f"(?:{a})" for a in alternatives)


_MONTH = rf"(?P<month>{_any(words.MONTHS_RU + words.MONTHS_EN)})"
_AFTER = r"(?:(?P<after>после|after)\s+)?"
_ONE = r"\d{1,3}|" + "|".join(
    w.replace(" ", r"\s+") for w in sorted(words.COUNTS, key=len, reverse=True)
)
_COUNT = rf"(?:{_ONE})(?:\s*(?:-|или|or)\s*(?:{_ONE}))?"
_UNIT = _any(tuple(alternatives for alternatives, _ in words.UNITS))
_SHORT_RU = rf"(?:{words.SHORT_RU_BEFORE})\s+(?P<wd>{_any(words.WEEKDAYS_SHORT_RU)})"
_SHORT_EN = rf"(?:{words.SHORT_EN_BEFORE})\s+(?P<wd>{_any(words.WEEKDAYS_SHORT_EN)})"
_THIS_WEEK = (
    r"на\s+этой\s+неделе|this\s+week|(?:до|к|в)\s+конц[уае]\s+(?:этой\s+)?недели"
    r"|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the|this)\s+week"
)
_CLOCK = (
    r"(?:(?P<prep>в|во|к|до|около|после|с|со|at|by|around|after|about|from)\s+)?"
    r"\b(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2}))?"
    r"(?:\s*(?P<hours>час\w*|o\s*clock))?"
    r"(?:\s*(?P<mer>утра|дня|вечера|ночи|am|pm|a\.m\.|p\.m\.))?"
)

_TABLE: tuple[tuple[str, Reader], ...] = (
    # "15 марта", "после 15-го марта", "march 15th", "15th of march"
    (rf"{_AFTER}(?P<d>\d{{1,2}})(?:st|nd|rd|th|\s*-?\s*(?:ого|го|е))?\s+(?:of\s+)?{_MONTH}", _date),
    (rf"{_AFTER}{_MONTH}\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?", _date),
    # "10-го", "после 10 числа", "after the 10th"
    (
        rf"{_AFTER}(?:the\s+)?(?P<d>\d{{1,2}})"
        r"(?:\s*-?\s*(?:ого|го|ому|му)(?:\s+числ\w*)?|\s+числ\w*|st|nd|rd|th)",
        _date,
    ),
    # "через полчаса", "через полтора часа", "через 2-3 дня", "in a couple of weeks"
    (rf"(?:через|in)\s+(?:{words.HALF_HOUR})", _minutes(30)),
    (rf"(?:через|in)\s+(?:{words.HOUR_AND_HALF})", _minutes(90)),
    (rf"(?:через|in|after)\s+(?:(?P<n>{_COUNT})\s+)?(?:of\s+)?(?P<unit>{_UNIT})", _span),
    (r"послезавтра|после\s+завтра|(?:the\s+)?day\s+after\s+tomorrow", _in_days(2)),
    (r"завтра|tomorrow", _in_days(1)),
    (r"сегодня|today", _in_days(0)),
    (r"после\s+выходн\w*|after\s+the\s+weekend", _next(0)),
    (r"(?:в|на)\s+(?:эти\s+)?выходн\w*|(?:on|at|over|this|next)\s+(?:the\s+)?weekend", _next(5)),
    # "на следующей неделе" alone is its Monday; with a weekday, that day of the week
    (r"(?:до|к|в)\s+конц[уае]\s+следующ\w*\s+недел\w*|end\s+of\s+next\s+week", _week(1, 4)),
    (r"следующ\w*\s+недел\w*|next\s+week", _week(1, 0)),
    (_THIS_WEEK, _week(0, 4)),  # "на этой неделе" alone: by its Friday
    (r"в\s+следующем\s+месяце|next\s+month", _next_month),
    (rf"{_AFTER}(?P<wd>{_any(words.WEEKDAYS_RU + words.WEEKDAYS_EN)})", _weekday),
    (_SHORT_RU, _weekday),
    (_SHORT_EN, _weekday),
    *((alternatives, _part(at, morning)) for alternatives, at, morning in words.PARTS),
    (_CLOCK, _clock),
)
# Every pattern stands as whole words; the clock's end also refuses "15.03.2026" and "5ть".
_RULES = tuple(
    (re.compile(rf"\b(?:{pattern})(?![a-zа-я\d]|[.:]\d)"), read) for pattern, read in _TABLE
)
