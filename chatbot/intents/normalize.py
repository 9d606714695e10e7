"""Text normalisation: cleanup, tokens, and the surface features of a message."""

from __future__ import annotations

import functools
import re
import unicodedata

from chatbot.core.intents import TextFeatures

_WORD = re.compile(r"[a-zа-я]+|\d+")
_REPEAT = re.compile(r"(\w)\1{2,}")  # "спасибооо" -> "спасибо"; two in a row are real spelling
_APOSTROPHE = re.compile(r"(?<=[a-z])['’`´](?=[a-z])")  # "don't" -> "dont", "i'll" -> "ill"
_SPACES = re.compile(r"\s+")
_PUNCT = str.maketrans(
    {"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "—": "-", "–": "-", "…": "..."}
)


def normalize(text: str) -> str:
    """Lowercase, ё→е, unified quotes and dashes, letters repeated 3+ times squeezed, one space."""
    text = text.replace("№", "#")  # NFKC would turn it into "No"
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е").translate(_PUNCT)
    text = _APOSTROPHE.sub("", text)
    return _SPACES.sub(" ", _REPEAT.sub(r"\1", text)).strip()


def tokens(text: str) -> list[str]:
    """The words (Cyrillic or Latin) and numbers of a text, normalised."""
    return _WORD.findall(normalize(text))


def split_words(plain: str) -> list[str]:
    """The words and numbers of a text `normalize` has already cleaned."""
    return _WORD.findall(plain)


# --- surface features: emojis, links and a bare number -------------------------------------

_TLDS = (
    "ru|su|рф|com|net|org|info|biz|io|me|ly|cc|co|gg|to|ws|xyz|shop|store|online|site|pro|app|"
    "link|top|club|live|page|dev|ai|tv|kz|by|ua|uz|am|ge|de|uk|us|eu"
)
# http(s):// and www. links, and bare domains with a known top-level domain (shop.ru, t.me/x).
# A known TLD list keeps "т.е." or "1.5" from counting; an e-mail address is not a link.
_LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    rf"|(?<![\w@.-])(?:[a-zа-я0-9](?:[a-zа-я0-9-]*[a-zа-я0-9])?\.)+(?:{_TLDS})\b(?![@.]\w)"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
# Telegram/Instagram @handles count as links: like a link, they send the reader elsewhere.
_HANDLE = re.compile(r"(?<![\w@.])@[a-z0-9_]{3,32}\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d{1,9})\s*[.!)]?\s*$")
_JOINER = "\u200d"
_MODIFIERS = frozenset({"\ufe0f", "\ufe0e", "\u20e3"}) | frozenset(
    chr(c) for c in range(0x1F3FB, 0x1F400)
)


def _pictograph(char: str) -> bool:
    code = ord(char)
    return (
        (0x1F000 <= code <= 0x1FAFF and not 0x1F3FB <= code <= 0x1F3FF)
        or 0x2600 <= code <= 0x27BF
        or 0x2300 <= code <= 0x23FF
        or 0x2B00 <= code <= 0x2BFF
        or code in (0x203C, 0x2049, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


_MAYBE_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u203c\u2049\u3030"
    "\u303d\u3297\u3299\u20e3]"
)


def emojis(text: str) -> list[str]:
    """The emojis of a text; a ZWJ family, a flag or a skin-toned hand count as one."""
    if not _MAYBE_EMOJI.search(text):
        return []  # most messages have none; skip the per-character walk
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if _regional(char) and i + 1 < n and _regional(text[i + 1]):
            found.append(text[i : i + 2])
            i += 2
            continue
        if char in "0123456789#*" and text[i + 1 : i + 3] in ("\ufe0f\u20e3", "\u20e3"):
            end = i + (3 if text[i + 1] == "\ufe0f" else 2)  # keycap 1️⃣
            found.append(text[i:end])
            i = end
            continue
        if not _pictograph(char):
            i += 1
            continue
        j = i + 1
        while j < n:
            if text[j] in _MODIFIERS:
                j += 1
            elif text[j] == _JOINER and j + 1 < n and _pictograph(text[j + 1]):
                j += 2
            else:
                break
        found.append(text[i:j])
        i = j
    return found


def _may_link(text: str) -> bool:
    # every link has a dot or "//" in it, every handle an "@"; most messages have none
    return "." in text or "@" in text or "//" in text


def links(text: str) -> list[str]:
    """Links (http, www., bare domains) and @handles, in order of appearance."""
    if not _may_link(text):
        return []
    spans = [(m.start(), m.group()) for m in _LINK.finditer(text)]
    spans += [(m.start(), m.group()) for m in _HANDLE.finditer(text)]
    return [link.rstrip(".,!?;:)»\"'") for _, link in sorted(spans)]


def without_links(text: str) -> str:
    """The text with its links and handles replaced by spaces."""
    if not _may_link(text):
        return text
    return _HANDLE.sub(" ", _LINK.sub(" ", text))


def link_domain(link: str) -> str:
    """The host of a link without www. (a handle stays "@name")."""
    if link.startswith("@"):
        return link.lower()
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.lower(), flags=re.IGNORECASE)
    return re.split(r"[/?#:]", host, maxsplit=1)[0]


def is_allowed(link: str, allowed_domains: frozenset[str]) -> bool:
    """Whether a link points to an allowed domain (or its subdomain) or is an allowed @handle."""
    host = link_domain(link)
    return any(host == d or host.endswith("." + d) for d in allowed_domains)


@functools.lru_cache(maxsize=64)
def _bare_domains(domains: frozenset[str]) -> frozenset[str]:
    """Domains lowercased without www. (a shop has one or two sets, asked on every message)."""
    return frozenset(d.lower().removeprefix("www.") for d in domains)


def features(
    text: str,
    allowed_domains: frozenset[str] = frozenset(),
    *,
    words: int | None = None,
    product_domains: frozenset[str] = frozenset(),
) -> TextFeatures:
    """Emoji and link counts, a bare number and the word count (links excluded) of a message.

    `words` is the word count when the caller has already split the message. Product links
    point to the shop's own (allowed) domains or to `product_domains` (marketplaces and such).
    """
    found = links(text)
    allowed = _bare_domains(allowed_domains)
    products = allowed | _bare_domains(product_domains)
    number = _NUMBER.match(text)
    return TextFeatures(
        emojis=len(emojis(text)),
        links=len(found),
        foreign_links=sum(1 for link in found if not is_allowed(link, allowed)),
        number=int(number.group(1)) if number else None,
        words=len(tokens(without_links(text))) if words is None else words,
        product_links=sum(
            1 for link in found if not link.startswith("@") and is_allowed(link, products)
        ),
    )
