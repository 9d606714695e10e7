"""Reading the score a customer gives after "rate us from 0 to 10"."""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.intents.normalize import normalize

MAX_WORDS = 14  # a longer message tells a story; its numbers are not a score

# Number words, Russian grade nouns ("десятка", "восьмерочку") and English words, by value.
# A grade noun is its value here: "пятерка" is 5, like the figure on a school report.
_NUMBER_WORDS: tuple[tuple[str, int], ...] = (
    (r"ноль|нуль|zero|nil", 0),
    (r"один|одна|единиц\w*|единичк\w*|one", 1),
    (r"два|две|двойк\w*|двоечк\w*|two", 2),
    (r"три|тройк\w*|троечк\w*|three", 3),
    (r"четыре|четверк\w*|четверочк\w*|four", 4),
    (r"пять|пятерк\w*|пятерочк\w*|five", 5),
    (r"шесть|шестерк\w*|six", 6),
    (r"семь|семерк\w*|семерочк\w*|seven", 7),
    (r"восемь|восьмерк\w*|восьмерочк\w*|eight", 8),
    (r"девять|девятк\w*|девяточк\w*|nine", 9),
    (r"десять|десятк\w*|десяточк\w*|ten", 10),
)
_WORD_VALUES = tuple((re.compile(rf"(?:{words})"), value) for words, value in _NUMBER_WORDS)
_DENOMINATOR_WORDS = {"десяти": 10, "пяти": 5, "ста": 100, "ten": 10, "five": 5}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words that may stand around a score without changing it: the verb of rating, praise and
# thanks. Any other word makes the message something else, so the reader answers None.
_FILLER = frozenset(
    _words(
        "на я мы вам вас вы бы ну да и а все всем моя мой наша ваша вот это же конечно точно "
        "однозначно пожалуй наверное думаю смело уверенно честно очень большое огромное за "
        "помощь сервис работу ок окей оки "
        "i id we would give it you a an my our rating rate score is solid strong easy easily "
        "definitely so much very well ok okay sure for the guys all good great"
    )
)
_FILLER_PREFIXES = _words(
    "спасиб благодар оцен балл ставл ставим постав тверд уверенн чест крепк супер отличн "
    "класс прекрасн замечат хорош лучш рекоменд понрав молодц мерси thank thx recommend "
    "awesome perfect excellent amazing love point"
)

# `normalize` squeezes "1000" to "10" as it squeezes "спасибооо"; such a number is no score
_SAME_DIGITS = re.compile(r"(\d)\1\1")
_KEYCAP = re.compile("[\ufe0f\u20e3]")  # "1️⃣0️⃣" is typed as keycaps around plain digits
# Numbers that are not a score on their own: times and decimals (15:00, 8.5), phones (+7...,
# 123-45), ranges (7-8), negatives, money, percent and order numbers (#123).
_NOT_A_SCORE = re.compile(
    r"\d\s*[:.,]\d|[+#№%$€₽]\s*\d|\d\s*[%$€₽]|\d\s*-\s*\d|\d-[a-zа-я]|\d[a-zа-я]"
    r"|[a-zа-я]\d|\d\s*(?:р|руб|тыс|шт|k)\b|(?:^|\s)[-−]\d"
)
# "7/10", "7 из 10", "8 out of 10", "10 баллов из 10": the score and the scale it is on.
_NUMBER = r"\d{1,3}|[a-zа-я]+"
_FRACTION = re.compile(
    rf"\b(?P<score>{_NUMBER})\s*(?:балл\w*\s+)?(?:/|\bиз\b|\bout\s+of\b|\bof\b)\s*"
    rf"(?P<scale>{_NUMBER})\b"
)
_TOKEN = re.compile(r"[a-zа-я]+|\d+")


@lru_cache(maxsize=4096)  # texts fill every reply's variables: read each once
def read_rating(text: str, top: int = 10) -> int | None:
    """The 0..`top` score a short reply gives, or None when it is not clearly one score.

    A fraction counts only on the asked scale: "5/5" is a top score on another scale, and
    converting it would guess, so it is None unless `top` is 5. Several different scores
    ("7 или 8"), numbers out of range and any word outside a small vocabulary of thanks and
    praise ("привезли 3 шара вместо 5") give None too: precision comes first.
    """
    plain = _KEYCAP.sub("", normalize(text)).replace("🔟", " 10 ")
    if _NOT_A_SCORE.search(plain) or _SAME_DIGITS.search(text):
        return None
    scores: list[int] = []
    for found in _FRACTION.finditer(plain):
        score, scale = _value(found["score"]), _scale(found["scale"])
        if score is None or scale != top:
            return None  # another scale, or "из" between words that are not numbers
        scores.append(score)
    words = _TOKEN.findall(_FRACTION.sub(" ", plain))
    if len(words) > MAX_WORDS:
        return None
    for word in words:
        value = _value(word)
        if value is not None:
            scores.append(value)
        elif not _is_filler(word):
            return None
    if len(set(scores)) != 1 or not 0 <= scores[0] <= top:
        return None
    return scores[0]


def _value(word: str) -> int | None:
    if word.isdigit():
        return int(word) if len(word) <= 3 else None
    for pattern, value in _WORD_VALUES:
        if pattern.fullmatch(word):
            return value
    return None


def _scale(word: str) -> int | None:
    return _DENOMINATOR_WORDS.get(word, _value(word))


def _is_filler(word: str) -> bool:
    return word in _FILLER or word.startswith(_FILLER_PREFIXES)
