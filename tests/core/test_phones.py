"""Phone normalization: the forms channels and CRMs send map to one key."""

from __future__ import annotations

import pytest

from chatbot.core.phones import chat_id_of, check_country, normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["79161234567", "+79161234567", "+7 (916) 123-45-67", " +7-916-123 45 67 "],
)
def test_one_person_one_form(raw: str) -> None:
    assert normalize_phone(raw) == "+79161234567"


@pytest.mark.parametrize("raw", [None, "", "abc", "12345", "+1234567890123456"])
def test_what_cannot_be_a_number_is_none(raw: str | None) -> None:
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "8 (916) 123-45-67",
        "+7 916 123-45-67",
        "00 7 916 123 45 67",
        "8-916-123-45-67 доб. 12",
        "+7 (916) 123-45-67 ext. 5",
        "916 123 45 67",
        "79161234567",
    ],
)
def test_a_russian_shop_writes_one_number_many_ways(raw: str) -> None:
    assert normalize_phone(raw, "RU") == "+79161234567"


def test_the_country_reads_national_numbers_and_keeps_foreign_ones() -> None:
    assert normalize_phone("8 (701) 123-45-67", "KZ") == "+77011234567"
    assert normalize_phone("0049 151 23456789", "RU") == "+4915123456789"
    assert normalize_phone("+375 29 123-45-67", "RU") == "+375291234567"


@pytest.mark.parametrize("raw", ["8 916 123-45-6", "8 (916) 123-45-67-89", "звоните", ""])
def test_a_number_with_a_typo_is_none(raw: str) -> None:
    assert normalize_phone(raw, "RU") is None


def test_a_channels_id_is_international() -> None:
    assert normalize_phone("4915123456789") == "+4915123456789"
    assert chat_id_of("+79161234567") == "79161234567"


def test_the_country_setting_is_checked() -> None:
    assert check_country(" kz ") == "KZ"
    with pytest.raises(ValueError, match="unknown country 'Russia'"):
        check_country("Russia")
