"""The decision policy: when to ask the LLM and how its answer combines with the rules'."""

from __future__ import annotations

import pytest

from chatbot.core.intents import Classification, TextFeatures
from chatbot.intents.policy import LLM_CONFIDENCE, combine, needs_llm

FEATURES = TextFeatures(emojis=1, words=4)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (Classification("thanks", 0.9, "rules"), False),
        (Classification("thanks", 0.6, "rules"), False),
        (Classification("thanks", 0.59, "rules"), True),
        (Classification("other", 0.9, "rules"), True),
        (Classification("other", 0.3, "rules"), True),
        (Classification("other", 1.0, "menu", option="4"), False),
        (Classification("agree", 0.2, "menu", option="1"), False),
        (Classification("thanks", 0.8, "llm"), False),
    ],
)
def test_needs_llm(decision: Classification, expected: bool) -> None:
    assert needs_llm(decision) is expected


def test_the_threshold_can_be_tuned() -> None:
    assert needs_llm(Classification("thanks", 0.7, "rules"), threshold=0.75)
    assert not needs_llm(Classification("thanks", 0.7, "rules"), threshold=0.5)


def test_the_llm_decides_when_it_answered() -> None:
    rules = Classification("other", 0.3, "rules", FEATURES)
    assert combine(rules, "need_time") == Classification(
        "need_time", LLM_CONFIDENCE, "llm", FEATURES
    )


def test_the_rules_stand_when_the_llm_gave_nothing() -> None:
    rules = Classification("thanks", 0.45, "rules", FEATURES)
    assert combine(rules, None) is rules
