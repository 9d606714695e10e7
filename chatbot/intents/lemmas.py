"""Word lemmas: Russian by pymorphy3's dictionary, English by the Snowball stemmer.

Cue words and message words both go through `lemma`, so any form of a word finds a cue written
in any other form ("подумаем" meets "подумаю" at "подумать"), while words that merely begin
alike stay apart ("займёт" is "занять", "займ" is "заём").
"""

from __future__ import annotations

from functools import lru_cache

import pymorphy3
import snowballstemmer

SHORT = 2  # letters; shorter words are kept as they are
_morph: pymorphy3.MorphAnalyzer | None = None
_english = snowballstemmer.stemmer("english")


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
        return str(_english.stemWord(word))
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
