"""Text normalisation and surface features: words, emojis, links, a bare number."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from chatbot.core.intents import TextFeatures

_WORD = re.compile(r"[a-zа-я0-9]+(?:['’][a-z]+)?")
_REPEAT = re.compile(r"([а-яa-z])\1{2,}")
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s]+|(?<![@\w])(?:[a-z0-9-]+\.)+(?:ru|com|net|org|io|me|su|рф|info|"
    r"biz|xyz|shop|store|online|site|pro|app|ly|cc|co|gg|link|top)(?:/[^\s]*)?",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w.])@[a-z0-9_]{4,}", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.!)]?\s*$")


def normalize(text: str) -> str:
    """Lowercase, ё→е, unified quotes and dashes, letters repeated 3+ times squeezed to one."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = text.replace("’", "'").replace("—", "-").replace("–", "-")
    return _REPEAT.sub(r"\1", text)


def tokens(text: str) -> list[str]:
    """The words and numbers of a normalised text."""
    return _WORD.findall(text)


def is_emoji(char: str) -> bool:
    """Whether a character is a pictograph (skin tones and joiners are not counted)."""
    code = ord(char)
    if 0x1F3FB <= code <= 0x1F3FF or code in (0x200D, 0xFE0F):
        return False
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2B00 <= code <= 0x2BFF
        or code in (0x2764, 0x2705, 0x203C, 0x2049)
    )


def emojis(text: str) -> list[str]:
    """The emojis of a text, in order."""
    return [c for c in text if is_emoji(c)]


def links(text: str) -> list[str]:
    """Links and @handles (a handle is a way to send someone elsewhere)."""
    return _LINK.findall(text) + _HANDLE.findall(text)


def link_domain(link: str) -> str:
    """The host of a link, without www."""
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.lower()).split("/")[0].split("?")[0]
    return host


def features(text: str, allowed_domains: Iterable[str] = ()) -> TextFeatures:
    """Emoji and link counts, a bare number, and the word count of a message."""
    found = links(text)
    allowed = tuple(d.lower() for d in allowed_domains)
    foreign = [
        link for link in found
        if link.startswith("@") or not any(
            link_domain(link) == d or link_domain(link).endswith("." + d) for d in allowed
        )
    ]  # fmt: skip
    number_match = _NUMBER.match(text)
    return TextFeatures(
        emojis=len(emojis(text)),
        links=len(found),
        foreign_links=len(foreign),
        number=int(number_match.group(1)) if number_match else None,
        words=len(tokens(normalize(text))),
    )
