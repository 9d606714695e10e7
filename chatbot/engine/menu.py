"""Matching a customer's message to a menu option: a pressed button, a number or a word."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.engine.spec import MenuOption

_WORD = re.compile(r"[a-zа-я0-9]+")
MAX_WORDS_FOR_WORD_MATCH = 3  # a longer message is a question, not a menu choice


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


def _stem(word: str) -> str:
    # Russian and English inflect at the end: "оплата/оплату/оплатить" share "опла".
    return word if len(word) <= 4 else word[: max(4, len(word) - 2)]


def match_option(
    text: str, button: str | None, options: Sequence[MenuOption], lang: str
) -> MenuOption | None:
    """The option chosen by a button id, an option number, or one of the option's words."""
    if button is not None:
        for option in options:
            if option.id == button:
                return option
    words = _words(text)
    if len(words) == 1 and words[0].isdigit():
        index = int(words[0])
        return options[index - 1] if 1 <= index <= len(options) else None
    if not words or len(words) > MAX_WORDS_FOR_WORD_MATCH:
        return None
    for option in options:
        for phrase in _option_phrases(option, lang):
            stems = [_stem(w) for w in _words(phrase)]
            if stems and all(any(w.startswith(s) for w in words) for s in stems):
                return option
    return None


def _option_phrases(option: MenuOption, lang: str) -> list[str]:
    phrases = list(option.words.get(lang, ()))
    for other, words in option.words.items():
        if other != lang:
            phrases.extend(words)
    return phrases
