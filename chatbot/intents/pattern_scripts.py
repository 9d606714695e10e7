"""Which alphabet a rule pattern needs: a pattern that needs Latin letters skips Russian texts.

About half of a message's classification time went to running every pattern of the rule files on
it, and about a third of them cannot match a text without Latin letters ("\\bnoted\\b"), a
half none without Cyrillic ones. The regex's own parse tree tells which: a pattern needs an
alphabet when every match of it contains a letter of it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

# The regex parser the re module compiles with (sre_parse before Python 3.11); untyped.
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")
LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")
CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_HAS_LATIN = re.compile("[a-z]")
_HAS_CYRILLIC = re.compile("[а-яё]")
Scripts = tuple[bool, bool]  # (has Latin letters, has Cyrillic letters)


def scripts_of(plain: str) -> Scripts:
    """Which alphabets a lowercased text has letters of."""
    return _HAS_LATIN.search(plain) is not None, _HAS_CYRILLIC.search(plain) is not None


def needs(regex: re.Pattern[str], letters: frozenset[str]) -> bool:
    """Whether every match of `regex` contains one of `letters` (case-blind); False if unsure."""
    try:
        tree = sre_parse.parse(regex.pattern, regex.flags)
    except Exception:  # unsure is always a safe answer
        return False
    return _sequence_needs(list(tree), letters)


def usable_by_scripts(regexes: Sequence[re.Pattern[str]]) -> dict[Scripts, tuple[int, ...]]:
    """For each kind of text by alphabet, the positions of the regexes that may match it."""
    wants = [(needs(r, LATIN), needs(r, CYRILLIC)) for r in regexes]
    return {
        (has_latin, has_cyrillic): tuple(
            n
            for n, (latin, cyrillic) in enumerate(wants)
            if (has_latin or not latin) and (has_cyrillic or not cyrillic)
        )
        for has_latin in (False, True)
        for has_cyrillic in (False, True)
    }


def _sequence_needs(items: list[tuple[Any, Any]], letters: frozenset[str]) -> bool:
    # A sequence needs a letter when one of its parts does.
    return any(_item_needs(op, arg, letters) for op, arg in items)


def _item_needs(op: Any, arg: Any, letters: frozenset[str]) -> bool:
    c = sre_constants
    if op is c.LITERAL:
        return chr(arg).lower() in letters
    if op is c.IN:
        return _class_needs(arg, letters)
    if op is c.BRANCH:
        return all(_sequence_needs(list(branch), letters) for branch in arg[1])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, _high, body = arg
        return bool(low >= 1) and _sequence_needs(list(body), letters)
    if op is c.SUBPATTERN:
        return _sequence_needs(list(arg[-1]), letters)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _sequence_needs(list(arg), letters)
    if op is c.ASSERT:  # a lookahead or lookbehind that must match: the text has it too
        return _sequence_needs(list(arg[1]), letters)
    return False  # anchors, negative lookarounds, categories (\w), backreferences


def _class_needs(members: list[tuple[Any, Any]], letters: frozenset[str]) -> bool:
    """Whether every character of a [...] class is one of `letters`."""
    c = sre_constants
    chars: list[str] = []
    for op, arg in members:
        if op is c.LITERAL:
            chars.append(chr(arg))
        elif op is c.RANGE:
            chars.extend(chr(code) for code in range(arg[0], arg[1] + 1))
        else:
            return False  # a negated class or a category
    return bool(chars) and all(char.lower() in letters for char in chars)
