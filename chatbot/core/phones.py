"""Phone numbers in one form (E.164 `+digits`), so channels and the CRM agree on a person.

Telegram sends "79161234567", WhatsApp's wa_id is the same digits: channels give international
numbers without the `+`. A shop's CRM writes numbers as people do, "8 (916) 123-45-67",
"+7 916 ...", "00 7 916 ...", "... доб. 12": those are read with the shop's country.
"""

from __future__ import annotations

import phonenumbers

MIN_DIGITS = 7
MAX_DIGITS = 15  # E.164's limit


def normalize_phone(raw: str | None, country: str | None = None) -> str | None:
    """`+` and the digits of the number, the extension dropped; None when it cannot be one.

    Without `country` the number is international (a channel's id, with or without `+`); with
    it, a number without `+` or `00` is read as that country writes its numbers.
    """
    if raw is None:
        return None
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]  # the international prefix of most countries
    elif country is None and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None
    if country is not None and not phonenumbers.is_valid_number(number):
        return None  # a digit short or too many: a typo in the CRM, not another person
    digits = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return None
    return "+" + digits


def chat_id_of(phone: str) -> str:
    """The WhatsApp recipient (`wa_id`) of a normalized phone: its digits."""
    return phone.lstrip("+")


def check_country(value: str) -> str:
    """An ISO 3166 country code phonenumbers knows, upper-cased; ValueError otherwise."""
    code = value.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown country {value!r}: use a two-letter code such as RU or KZ")
    return code
