"""The pieces of a moment the pattern table reads, and the next-weekday arithmetic."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from chatbot.intents.moment_rules import Piece, next_weekday, pieces

WEDNESDAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("weekday", "found"),
    [(0, date(2026, 3, 9)), (1, date(2026, 3, 10)), (2, date(2026, 3, 11)), (3, date(2026, 3, 5))],
)
def test_next_weekday_is_never_today(weekday: int, found: date) -> None:
    assert next_weekday(WEDNESDAY, weekday) == found


def test_a_phrase_is_read_once() -> None:
    # "10-го" is a date; the clock pattern after it does not read "в 10" again
    assert list(pieces("в 10-го", WEDNESDAY)) == [Piece(day=date(2026, 3, 10))]
    assert list(pieces("через 2 часа", WEDNESDAY)) == [Piece(span=timedelta(hours=2))]


def test_pieces_of_a_day_and_a_time() -> None:
    found = list(pieces("в пятницу вечером в 7", WEDNESDAY))
    assert found == [
        Piece(weekday=4),
        Piece(part=(time(18), False)),
        Piece(clock=(7, 0, None, False), weak=True),
    ]


def test_a_ruled_out_phrase_is_dropped() -> None:
    assert list(pieces("не завтра", WEDNESDAY)) == []
    assert list(pieces("не в понедельник а во вторник", WEDNESDAY)) == [Piece(weekday=1)]


def test_words_that_only_look_like_moments() -> None:
    assert list(pieces("среди прочего в 3 шара", WEDNESDAY)) == [
        Piece(clock=(3, 0, None, False), weak=True)
    ]
    assert list(pieces("i sat in the sun", WEDNESDAY)) == []
