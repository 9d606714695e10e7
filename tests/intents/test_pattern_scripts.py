"""Which alphabet a rule pattern needs, and which patterns a text is tried against."""

from __future__ import annotations

import re

from chatbot.intents.pattern_scripts import (
    CYRILLIC,
    LATIN,
    needs,
    scripts_of,
    usable_by_scripts,
)


def test_a_word_needs_its_alphabet() -> None:
    assert needs(re.compile(r"\bnoted\b"), LATIN)
    assert not needs(re.compile(r"\bnoted\b"), CYRILLIC)
    assert needs(re.compile(r"(оплат|плат)\w*"), CYRILLIC)


def test_every_branch_must_need_it() -> None:
    assert not needs(re.compile(r"^\W*(да|yes)\W*$"), LATIN)
    assert not needs(re.compile(r"^\W*(да|yes)\W*$"), CYRILLIC)
    assert needs(re.compile(r"(ok|okay)\W+(go|ship)"), LATIN)


def test_optional_parts_and_negative_lookarounds_need_nothing() -> None:
    assert not needs(re.compile(r"(good )?\d+"), LATIN)
    assert not needs(re.compile(r"(?!no)\d+"), LATIN)
    assert needs(re.compile(r"(?=.*price)\d+"), LATIN)
    assert needs(re.compile(r"(?:hi)+"), LATIN)


def test_classes_need_an_alphabet_only_when_all_their_letters_are_of_it() -> None:
    assert needs(re.compile(r"[a-z]{2}"), LATIN)
    assert not needs(re.compile(r"[a-z0-9]"), LATIN)
    assert not needs(re.compile(r"[^a-z]"), LATIN)
    assert not needs(re.compile(r"\w+"), LATIN)
    assert needs(re.compile(r"HELLO", re.IGNORECASE), LATIN)


def test_a_text_is_tried_against_the_patterns_its_alphabets_allow() -> None:
    regexes = [re.compile(r"\bnoted\b"), re.compile(r"спасибо"), re.compile(r"\d{5}")]
    usable = usable_by_scripts(regexes)
    assert usable[scripts_of("12345")] == (2,)
    assert usable[scripts_of("noted 12345")] == (0, 2)
    assert usable[scripts_of("спасибо")] == (1, 2)
    assert usable[scripts_of("ok спасибо")] == (0, 1, 2)
