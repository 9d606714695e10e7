"""Word lemmas: Russian by pymorphy3's dictionary, English by a light suffix stemmer.

Cue words and message words both go through `lemma`, so any form of a word finds a cue written
in any other form ("подумаем" meets "подумаю" at "подумать"), while words that merely begin
alike stay apart ("займёт" is "занять", "займ" is "заём"). English keeps a light stemmer of its
own: the Snowball (Porter 2) stemmer conflates further ("organization" and "organ",
"university" and "universe") and scored lower on every labelled English set we have.
"""

from __future__ import annotations

from functools import lru_cache

import pymorphy3

SHORT = 2  # letters; shorter words are kept as they are
_morph: pymorphy3.MorphAnalyzer | None = None
_EN_SUFFIXES = ("ing", "ed", "es", "ly", "s")
_MIN_STEM = 3


def _analyzer() -> pymorphy3.MorphAnalyzer:
    # Built on first use (a tenth of a second): importing the rules stays cheap.
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


@lru_cache(maxsize=65536)  # chat vocabulary is small and repetitive; a lemma never changes
def lemma(word: str) -> str:
    """The dictionary form of a lowercased word (ё written е); digits and Latin stems as such."""
    if not word or word.isdigit():
        return word
    if word[0].isascii():
        return _stem_en(word)
    if len(word) <= SHORT:
        return word  # "ок", "ку", "хз": a guess would make "ок" the preposition "около"
    morph = _analyzer()
    if not morph.word_is_known(word):
        return word  # a typo or slang: kept as written (the cue matcher forgives typos)
    parses = morph.parse(word)
    if any(p.normal_form.replace("ё", "е") == word for p in parses):
        return word  # already a dictionary form ("ладно", not the adjective "ладный")
    return str(parses[0].normal_form).replace("ё", "е")


def lemmas(words: list[str]) -> list[str]:
    """The lemmas of several words."""
    return [lemma(w) for w in words]


def _stem_en(word: str) -> str:
    """Plural, -ing, -ed and -ly cut: "deliveries" and "delivery" meet at "deliveri"."""
    if len(word) <= _MIN_STEM:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "i"
    for suffix in _EN_SUFFIXES:
        if suffix == "s" and word.endswith(("ss", "us")):
            continue
        keep = _MIN_STEM + 2 if suffix == "ly" else _MIN_STEM  # "quickly" but not "reply"
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2]:
                word = word[:-1]  # "shipped" -> "ship"
            break
    if word.endswith("y") and len(word) > 3:
        return word[:-1] + "i"  # "delivery" and "deliveries" meet at "deliveri"
    if word.endswith("e") and len(word) > 3:
        return word[:-1]  # "price", "prices", "priced"
    return word


@lru_cache(maxsize=65536)
def in_dictionary(word: str) -> bool:
    """A Russian word the dictionary knows: a real word, not a typo ("инвертор", "заветренный")."""
    return not word[:1].isascii() and _analyzer().word_is_known(word)


@lru_cache(maxsize=65536)
def is_past(word: str) -> bool:
    """A verb in the past tense: "решила", "подумали", "decided", "thought"."""
    if word[:1].isascii():
        return word == "thought" or (word.endswith("ed") and len(word) > 4)
    morph = _analyzer()
    return morph.word_is_known(word) and "past" in morph.parse(word)[0].tag


@lru_cache(maxsize=65536)
def is_imperative(word: str) -> bool:
    """A Russian verb that may be an imperative: "оформляйте", "отложите" (a request)."""
    if word[:1].isascii():
        return False  # English imperatives look like any other form
    morph = _analyzer()
    return morph.word_is_known(word) and any("impr" in p.tag for p in morph.parse(word))
