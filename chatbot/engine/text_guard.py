"""Whether an LLM rewrite of a flow text may be sent instead of it: pure checks, no IO.

The rewrite may only say again what the template or the dialog already says. Links, prices,
offers and long numbers (phones, cards) must come from the shop's side (the template, the
bot's and the managers' messages): a customer who writes a link or a price into the chat must
not get the bot to repeat it in the shop's name. Short numbers (an order number, a date) may
also come from the customer's messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chatbot.core.nudge import DialogLine

REASONS = (
    "empty",
    "too_long",
    "markup",
    "new_link",
    "new_price",
    "new_number",
    "new_offer",
    "wrong_language",
)
"""Why a rewrite was refused, in the order the checks run."""

LONG_NUMBER = 7  # digits: from here on a number reads like a phone or a card, not a date

_LINKS = (
    re.compile(r"\b(?:https?|ftp)://[^\s<>\"'«»]+", re.IGNORECASE),
    re.compile(r"\bwww\.[^\s<>\"'«»]+", re.IGNORECASE),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,}"),
    re.compile(
        r"\b(?:[a-zа-яё0-9](?:[a-zа-яё0-9-]*[a-zа-яё0-9])?\.)+(?:[a-z]{2,24}|рф)\b"
        r"(?:/[^\s<>\"'«»]*)?",
        re.IGNORECASE,
    ),
)
_CURRENCY = re.compile(
    r"[₽$€£¥₸₴%]|\bр\.|\b(?:руб\w*|коп\w*|тенге|грн|гривн\w*|доллар\w*|евро|процент\w*|rub"
    r"|rur|usd|eur|dollars?|euros?|cents?|bucks?|percent)\b",
    re.IGNORECASE,
)
_NUMBER_TEXT = r"\d(?:[\d \u00a0\u202f.,:()+\-/]*\d)?"
_NUMBER = re.compile(_NUMBER_TEXT)
_NUMBER_BEFORE = re.compile(_NUMBER_TEXT + r"\s*$")
_NUMBER_AFTER = re.compile(r"\s*" + _NUMBER_TEXT)
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+")
_MARKUP = ("{", "}", "<", ">", "`", "**", "__", "](")
_OFFERS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"скидк",
        r"бесплатн",
        r"даром",
        r"промо",
        r"\bакци[ияюей]",
        r"кэшб[эе]к",
        r"бонус",
        r"распродаж",
        r"discount",
        r"\bfree\b",
        r"promo",
        r"coupon",
        r"cashback",
        r"bonus",
        r"\bsale\b",
    )
)
_CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"})
_LATIN_LANGS = frozenset(
    {
        "en",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "nl",
        "pl",
        "tr",
        "uz",
        "az",
        "ro",
        "cs",
        "sk",
        "lv",
        "lt",
        "et",
        "fi",
        "sv",
        "no",
        "da",
        "id",
    }
)
_QUOTES = {'"': '"', "«": "»", "“": "”", "'": "'", "„": "“"}
MIN_LANGUAGE_SHARE = 0.6  # of the letters: brand names in another script fit, a whole reply not


@dataclass(frozen=True, slots=True)
class Verdict:
    """The text to send, whether it is the LLM's rewrite, and why the template was kept."""

    text: str
    personalised: bool
    reason: str | None = None


def fallback(template: str, reason: str) -> Verdict:
    """Send the template, saying why."""
    return Verdict(template, False, reason)


def judge(
    candidate: str | None,
    template: str,
    dialog: Sequence[DialogLine],
    *,
    lang: str,
    max_chars: int,
) -> Verdict:
    """The rewrite when it passes every check, otherwise the template and the first failure."""
    text = tidy(candidate or "")
    reason = refusal(text, template, dialog, lang=lang, max_chars=max_chars)
    return fallback(template, reason) if reason is not None else Verdict(text, True)


def tidy(text: str) -> str:
    """Trim blanks and one pair of quotes wrapped around the whole answer."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def refusal(
    text: str, template: str, dialog: Sequence[DialogLine], *, lang: str, max_chars: int
) -> str | None:
    """Why `text` may not replace `template` (one of REASONS), or None when it may."""
    if not text:
        return "empty"
    if len(text) > max_chars:
        return "too_long"
    shop = "\n".join([template, *(d.text for d in dialog if not d.by_customer)])
    everything = "\n".join([shop, *(d.text for d in dialog if d.by_customer)])
    if any(mark in text and mark not in template for mark in _MARKUP):
        return "markup"
    links = [m.group(0) for pattern in _LINKS for m in pattern.finditer(text)]
    shop_lower = shop.lower()
    if any(_link_key(link) not in shop_lower for link in links):
        return "new_link"
    bare = _without(text, links)
    if _new_price(bare, shop):
        return "new_price"
    if _new_number(bare, shop, everything):
        return "new_number"
    if any(p.search(text) and not p.search(shop) for p in _OFFERS):
        return "new_offer"
    if not _in_language(text, everything, lang):
        return "wrong_language"
    return None


def _link_key(link: str) -> str:
    """A link as it is compared: lower case, without scheme, www. and closing punctuation."""
    key = link.lower().rstrip(".,!?;:)»\"'")
    key = re.sub(r"^(?:https?|ftp)://", "", key)
    return key.removeprefix("www.")


def _without(text: str, parts: Iterable[str]) -> str:
    for part in parts:
        text = text.replace(part, " ")
    return text


def _new_price(text: str, shop: str) -> bool:
    """A currency, a percentage or an amount next to one that the shop never wrote."""
    shop_units = {_unit(m.group(0)) for m in _CURRENCY.finditer(shop)}
    shop_numbers = _numbers(shop)
    for match in _CURRENCY.finditer(text):
        if _unit(match.group(0)) not in shop_units:
            return True
        before = _NUMBER_BEFORE.search(text, 0, match.start())
        after = _NUMBER_AFTER.match(text, match.end())
        for number in (before, after):
            if number is not None and not _known(number.group(0).strip(), shop_numbers):
                return True
    return False


def _unit(mark: str) -> str:
    """A currency mark reduced so that "руб." and "рублей" or "$" and "dollars" compare equal."""
    lower = mark.lower()
    for unit, spellings in (
        ("rub", ("₽", "руб", "р.", "rub", "rur")),
        ("usd", ("$", "доллар", "usd", "dollar", "buck", "cent")),
        ("eur", ("€", "евро", "eur")),
        ("pct", ("%", "процент", "percent")),
    ):
        if lower.startswith(spellings):
            return unit
    return lower


def _numbers(text: str) -> tuple[set[str], set[str]]:
    """Every digit run of `text` (as a value) and every number with its separators removed."""
    runs = {str(int(run)) for run in _DIGITS.findall(text)}
    glued = {"".join(_DIGITS.findall(m.group(0))) for m in _NUMBER.finditer(text)}
    return runs, glued | {run for run in _DIGITS.findall(text)}


def _known(number: str, known: tuple[set[str], set[str]]) -> bool:
    runs, glued = known
    parts = _DIGITS.findall(number)
    return "".join(parts) in glued or all(str(int(p)) in runs for p in parts)


def _new_number(text: str, shop: str, everything: str) -> bool:
    """A number in none of the sources; a long one (a phone, a card) only from the shop."""
    shop_numbers, all_numbers = _numbers(shop), _numbers(everything)
    for match in _NUMBER.finditer(text):
        number = match.group(0)
        digits = sum(len(p) for p in _DIGITS.findall(number))
        if not _known(number, shop_numbers if digits >= LONG_NUMBER else all_numbers):
            return True
    return False


def _in_language(text: str, sources: str, lang: str) -> bool:
    """The rewrite is mostly in the script of the dialog's language."""
    if lang in _CYRILLIC_LANGS:
        native = re.compile(r"[а-яёіїєґўәғқңөұүһ]", re.IGNORECASE)
    elif lang in _LATIN_LANGS:
        native = re.compile(r"[a-zà-ɏ]", re.IGNORECASE)
    else:
        return True  # a script we do not know: nothing to compare with
    seen = {w.lower() for w in _WORD.findall(sources)}
    words = _WORD.findall(text)
    total = sum(len(w) for w in words)
    # A word the template or the dialog has (the shop's name, a product) counts as fitting.
    fitting = sum(len(w) if w.lower() in seen else len(native.findall(w)) for w in words)
    return total == 0 or fitting / total >= MIN_LANGUAGE_SHARE
