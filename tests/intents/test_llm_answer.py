"""Parsing what a model answered: only known intents come out."""

from __future__ import annotations

import pytest

from chatbot.core.intents import INTENTS
from chatbot.intents.llm_answer import IntentAnswer, answer_json_schema, ordered, parse_answer

KNOWN = frozenset(INTENTS)


@pytest.mark.parametrize(
    ("raw", "intent"),
    [
        ('{"intent": "thanks"}', "thanks"),
        ('{"intent": "ask_price", "confidence": 0.7}', "ask_price"),
        ('{"intent": "Ask Price"}', "ask_price"),
        ('{"intent": "need-time", "reason": "will ask her husband"}', "need_time"),
        ('```json\n{"intent": "ask_delivery"}\n```', "ask_delivery"),
        ('```\n{"intent": "complaint"}\n```', "complaint"),
        ('Sure! Here is the answer: {"intent": "refuse"} Hope it helps.', "refuse"),
        ('<think>the customer says thanks</think>\n{"intent": "thanks"}', "thanks"),
        ('"agree"', "agree"),
        ("thanks", "thanks"),
        ("Intent: thanks.", "thanks"),
        ("  THANKS!  ", "thanks"),
        ("**price_objection**", "price_objection"),
        ("The intent is ask price", "ask_price"),
        ("`human`", "human"),
        ("```\nspam\n```", "spam"),
        ("intent=order_status", "order_status"),
    ],
)
def test_accepted_answers(raw: str, intent: str) -> None:
    assert parse_answer(raw, KNOWN) == intent


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   \n ",
        "I'm sorry, but I can't help with that.",
        "I cannot classify this message.",
        '{"intent": "mark_order_paid"}',
        '{"intent": "thanks", "confidence": 7}',
        '{"intent": ""}',
        '{"intent": 3}',
        '{"label": "thanks"}',
        '{"intent": "tha',
        '{"intent": "thanks"',
        '{"intent": "thanks"} {"intent": "spam"}',
        '[{"intent": "thanks"}]',
        "null",
        "thanks\nspam",
        "This customer is probably saying thanks",
        "send_payment_link",
        "<think>hmm, is it thanks or spam",
    ],
)
def test_rejected_answers(raw: str) -> None:
    assert parse_answer(raw, KNOWN) is None


def test_only_the_given_intents_are_known() -> None:
    shop = KNOWN | {"ask_size"}
    assert parse_answer('{"intent": "ask_size"}', shop) == "ask_size"
    assert parse_answer('{"intent": "ask_size"}', KNOWN) is None
    assert parse_answer("spam", frozenset({"thanks"})) is None


def test_a_long_answer_is_cut_before_parsing() -> None:
    assert parse_answer("x" * 10_000 + '{"intent": "thanks"}', KNOWN) is None


def test_the_answer_model_validates_the_confidence() -> None:
    assert IntentAnswer.model_validate({"intent": " thanks ", "confidence": 0.5}).intent == "thanks"
    with pytest.raises(ValueError, match="confidence"):
        IntentAnswer.model_validate({"intent": "thanks", "confidence": 1.5})


def test_the_json_schema_is_strict_with_an_enum_of_intents() -> None:
    schema = answer_json_schema(KNOWN | {"ask_size"})
    assert schema["required"] == ["intent"]
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == ["intent"]  # strict mode wants every property required
    assert schema["properties"]["intent"]["enum"] == [*INTENTS, "ask_size"]


def test_intents_are_ordered_as_documented_then_alphabetically() -> None:
    assert ordered(frozenset({"zeta", "thanks", "alpha", "greeting"})) == [
        "greeting",
        "thanks",
        "alpha",
        "zeta",
    ]
