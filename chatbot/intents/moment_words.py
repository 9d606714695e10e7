"""The vocabulary `moments` reads: weekdays, months, counts, units and parts of the day."""

from __future__ import annotations

from datetime import time
from typing import Final

# Weekdays from Monday, as regular-expression alternatives. Russian names are matched by
# their beginning, so every case form ("пятница/пятницу/пятницы") and endings typed wrong
# ("понедельнеке") are read. "сред" needs its ending: "среди" is another word.
WEEKDAYS_RU: Final = (
    r"понедельн\w*",
    r"вторник\w*",
    r"сред[аеуы]",
    r"четверг\w*",
    r"пятниц\w*",
    r"суббот\w*",
    r"воскресен\w*|воскресень\w*",
)
WEEKDAYS_EN: Final = (
    r"mondays?",
    r"tuesdays?",
    r"wednesdays?",
    r"thursdays?",
    r"fridays?",
    r"saturdays?",
    r"sundays?",
)
# Abbreviations are other words too ("вс" for "все", "sat", "sun", "wed"), so they count
# only after a preposition: "в пн", "до пт", "on sat", "by fri".
WEEKDAYS_SHORT_RU: Final = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
WEEKDAYS_SHORT_EN: Final = ("mon", "tue|tues", "wed", "thu|thur|thurs", "fri", "sat", "sun")
SHORT_RU_BEFORE: Final = r"в|во|к|до|с|со|по"
SHORT_EN_BEFORE: Final = r"on|by|next|this|till|until"

# Months from January: Russian in any case form ("марта", "мае"), English with abbreviations.
MONTHS_RU: Final = (
    r"январ\w*",
    r"феврал\w*",
    r"март\w*",
    r"апрел\w*",
    r"ма[яйею]",
    r"июн\w*",
    r"июл\w*",
    r"август\w*",
    r"сентябр\w*",
    r"октябр\w*",
    r"ноябр\w*",
    r"декабр\w*",
)
MONTHS_EN: Final = (
    r"january|jan",
    r"february|feb",
    r"march|mar",
    r"april|apr",
    r"may",
    r"june|jun",
    r"july|jul",
    r"august|aug",
    r"september|sept|sep",
    r"october|oct",
    r"november|nov",
    r"december|dec",
)

# Counts in "через N ...": "пару" is two, "несколько" and "a few" are taken as three.
_COUNT_WORDS: Final = (
    (1, "один|одну|одна|одни|a|an|one"),
    (2, "два|две|пару|пара|пары|a couple|couple|two"),
    (3, "три|несколько|a few|few|several|three"),
    (4, "четыре|four"),
    (5, "пять|five"),
    (6, "шесть|six"),
    (7, "семь|seven"),
    (8, "восемь|eight"),
    (9, "девять|nine"),
    (10, "десять|ten"),
    (15, "пятнадцать|fifteen"),
    (20, "двадцать|twenty"),
    (30, "тридцать|thirty"),
    (40, "сорок|forty"),
)
COUNTS: Final = {word: value for value, words in _COUNT_WORDS for word in words.split("|")}

# Units of "через N ..." and the minutes in one; a day or longer is counted in calendar days.
MINUTE: Final = 1
HOUR: Final = 60
DAY: Final = 24 * 60
UNITS: Final = (
    (r"минут\w*|мин|minutes?|mins?", MINUTE),
    (r"час|часа|часов|часик\w*|часок|hours?|hrs?", HOUR),
    (r"день|дня|дней|денек|деньк\w*|сутки|суток|days?", DAY),
    (r"недел\w*|weeks?", 7 * DAY),
    (r"месяц\w*|мес|months?", 30 * DAY),
)
HALF_HOUR: Final = r"пол\s*-?\s*часа|полчасика|half\s+an?\s+hour"
HOUR_AND_HALF: Final = r"полтора\s+часа|an?\s+hour\s+and\s+a\s+half"

# Parts of the day: the clock time they stand for, and whether they are before noon
# (a bare "в 7" said with "утром" is 7:00, with "вечером" 19:00).
PARTS: Final = (
    (r"утром|утречком|с\s+утра|до\s+обеда|(?:in\s+the\s+|this\s+)?morning", time(10), True),
    (r"в\s+обед\w*|к\s+обеду|на\s+обеде|в\s+обеденн\w*\s+\w+|(?:at\s+)?lunch\w*", time(13), False),
    (r"днем|после\s+обеда|(?:in\s+the\s+|this\s+)?afternoon", time(14), False),
    (
        r"вечером|вечерком|(?:ближе\s+)?к\s+вечеру|(?:in\s+the\s+|this\s+)?evening|tonight",
        time(18),
        False,
    ),
    (r"в\s+полдень|(?:at\s+)?noon|midday", time(12), False),
)

# Words that put the moment in the past: the whole message is then no promise of a future one.
PAST: Final = (
    r"вчера|позавчера|назад|прошл\w*|yesterday|ago"
    r"|last\s+(?:week\w*|month|time|night|mon\w*|tue\w*|wed\w*|thu\w*|fri\w*|sat\w*|sun\w*)"
)

# Common misspellings of the words that carry a moment, and the words typos are fixed toward
# (one edit away: "черз", "чрез", "завтро", "tomorow"); the blocked words are real neighbours.
ALIASES: Final[dict[str, str]] = {
    "чирез": "через",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
}
TYPO_TARGETS: Final = ("через", "завтра", "послезавтра", "tomorrow", "вечером")
NOT_TYPOS: Final = frozenset({"завтрак"})
