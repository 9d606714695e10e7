"""UtcDateTime: the one-step SQLite converter stores what SQLAlchemy's two steps store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import sqlite

from chatbot.db.types import UtcDateTime

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 2, 8, 0, 5, 123456, tzinfo=UTC),
        datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC),  # no microseconds: still six digits
        datetime(2026, 3, 2, 11, 0, tzinfo=MOSCOW),
        datetime(2026, 3, 29, 2, 30, 0, 1, tzinfo=BERLIN),  # a DST change night
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=-1))),
        None,
    ],
)
def test_one_step_matches_sqlalchemy(value: datetime | None) -> None:
    dialect = sqlite.dialect()
    two_steps = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert two_steps is not None
    assert UtcDateTime.sqlite_text(value) == two_steps(value)


def test_a_naive_datetime_is_refused_either_way() -> None:
    dialect = sqlite.dialect()
    two_steps = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert two_steps is not None
    naive = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    for convert in (UtcDateTime.sqlite_text, two_steps):
        with pytest.raises(ValueError, match="naive datetime"):
            convert(naive)
