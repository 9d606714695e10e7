"""A Retry-After header read as a bounded wait."""

from __future__ import annotations

import pytest

from chatbot.core.retry_after import retry_after_seconds


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", 30.0),
        ("2.5", 2.5),
        ("-5", 0.0),
        ("99999", 600.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_retry_after_headers_become_bounded_seconds(
    header: str | None, expected: float | None
) -> None:
    assert retry_after_seconds(header, None, 600.0) == expected
