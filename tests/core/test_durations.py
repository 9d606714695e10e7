"""Durations as admins and scripts write them."""

from datetime import timedelta

import pytest

from chatbot.core.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("10m", timedelta(minutes=10)),
        ("25h", timedelta(hours=25)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("2w", timedelta(days=14)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_parses_units(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "10", "h", "10x", "-5m", "ten minutes"])
def test_rejects_with_hint(text: str) -> None:
    with pytest.raises(ValueError, match="use a number and a unit"):
        parse_duration(text)


def test_format_round_trips() -> None:
    assert format_duration(timedelta(days=1, hours=2, minutes=30)) == "1d2h30m"
    assert parse_duration(format_duration(timedelta(hours=49))) == timedelta(hours=49)
