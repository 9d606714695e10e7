"""Cue matching on stems, word beginnings and phrases, with one-edit typo tolerance."""

from __future__ import annotations

import re

from chatbot.intents.cues import Cue, Element, Pattern, build_index, match, near
from chatbot.intents.lemmas import lemma
from chatbot.intents.normalize import tokens


def test_near_is_one_edit() -> None:
    assert near("уточн", "утончн"[:5])  # neighbours swapped
    assert near("доставк", "дотавк")  # a letter missing
    assert near("менеджер", "менеджир")  # a letter replaced
    assert not near("проход", "подход")  # two edits apart
    assert not near("abc", "abcde")


def _index() -> tuple[Cue, ...]:
    return (
        Cue("human", (Element(lemma("позовите")), Element(lemma("менеджера"))), 1.0),
        Cue("ask_delivery", (Element("достав", prefix=True),), 1.0),
        Cue("thanks", (Element(lemma("спасибо")),), 1.0),
        Cue("thanks", (Element(lemma("спасибо")), Element(lemma("но"))), 1.0, negative=True),
    )


def test_phrases_words_prefixes_and_negatives() -> None:
    index = build_index(_index(), [Pattern("other", re.compile(r"^\?$"), 1.0)])
    found = match(tokens("позови менеджера, спасибо но доставка"), "", index)
    assert found.scores == {"human": 1.0, "ask_delivery": 1.0, "thanks": 1.0}
    assert found.negated == frozenset({"thanks"})
    assert found.covered["human"] == frozenset({0, 1})
    assert match([], "?", index).scores == {"other": 1.0}


def test_typos_are_corrected_and_reported() -> None:
    # a misspelt form has no lemma of its own: it is matched against the files' spellings
    index = build_index(_index(), [], ["позовите", "менеджера", "доставка"])
    found = match(tokens("пазовите менеджира, дотавка"), "", index)
    assert set(found.scores) == {"human", "ask_delivery"}
    assert found.fuzzy == frozenset({"human", "ask_delivery"})
