"""Phone normalization: the forms channels and CRMs send map to one key."""

from __future__ import annotations

import pytest

from chatbot.core.phones import normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["79161234567", "+79161234567", "+7 (916) 123-45-67", " +7-916-123 45 67 "],
)
def test_one_person_one_form(raw: str) -> None:
    assert normalize_phone(raw) == "+79161234567"


@pytest.mark.parametrize("raw", [None, "", "abc", "12345", "+1234567890123456"])
def test_what_cannot_be_a_number_is_none(raw: str | None) -> None:
    assert normalize_phone(raw) is None
