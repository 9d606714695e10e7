"""Phone numbers in one form (E.164-like `+digits`), so channels and the CRM agree on a person."""

from __future__ import annotations

MIN_DIGITS = 7
MAX_DIGITS = 15  # E.164's limit


def normalize_phone(raw: str | None) -> str | None:
    """`+` and the digits of an international number; None when it cannot be one.

    Telegram sends "79161234567", WhatsApp's wa_id is the same digits, a CRM may write
    "+7 (916) 123-45-67": all three are one person. National forms ("8 916 ...") are not
    guessed, because the country they belong to is not known here.
    """
    if raw is None:
        return None
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return None
    return "+" + digits
