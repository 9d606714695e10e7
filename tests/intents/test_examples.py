"""Labelled examples name the intent of a message no cue explains, never a final verdict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatbot.admin_files.rules_loader import load_rules
from chatbot.intents.examples import ExampleIndex
from chatbot.intents.rules import EXAMPLE_CONFIDENCE, classify

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"
PAYMENT = [
    ("можно заплатить долями через сплит?", "ask_payment"),
    ("сплит на три части оформить можно?", "ask_payment"),
    ("оплата частями через сплит есть?", "ask_payment"),
]


def test_the_nearest_examples_name_the_intent() -> None:
    index = ExampleIndex.build([*PAYMENT, ("курьер до подъезда донесёт?", "ask_delivery")])
    found = index.nearest("а через сплит можно?")
    assert found is not None
    assert found.intent == "ask_payment"
    assert index.decide("а через сплит можно?") == "ask_payment"


def test_nothing_similar_names_nothing() -> None:
    index = ExampleIndex.build(PAYMENT)
    assert index.nearest("какой у вас самый большой шар") is None
    assert index.decide("какой у вас самый большой шар") is None


@pytest.mark.parametrize("final", ["thanks", "spam"])
def test_examples_never_close_a_dialog(final: str) -> None:
    index = ExampleIndex.build([("вы просто волшебники с тортами", final)] * 3)
    found = index.nearest("волшебники с тортами")
    assert found is not None
    assert found.intent == final
    assert index.decide("волшебники с тортами") is None  # the LLM or a manager decides


def test_split_votes_decide_nothing() -> None:
    index = ExampleIndex.build(
        [("сплит доставка курьер", "ask_delivery"), ("сплит доставка курьер", "ask_payment")]
    )
    found = index.nearest("сплит доставка курьер")
    assert found is not None
    assert found.agreement < 0.6
    assert index.decide("сплит доставка курьер") is None


def test_a_shops_examples_reach_the_rules(tmp_path: Path) -> None:
    folder = tmp_path / "intents"
    shutil.copytree(RULES, folder)
    text = "котлован под фундамент выроете"
    assert classify(text, load_rules(folder)).intent == "other"
    rows = [
        {"text": "котлован под фундамент выроете за неделю", "label": "agree"},
        {"text": "выроете котлован под фундамент, мы согласны", "label": "agree"},
    ]
    (folder / "examples" / "shop.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    decision = classify(text, load_rules(folder))
    assert (decision.intent, decision.confidence) == ("agree", EXAMPLE_CONFIDENCE)


def test_examples_agreeing_with_a_weak_cue_make_it_sure_enough(tmp_path: Path) -> None:
    folder = tmp_path / "intents"
    shutil.copytree(RULES, folder)
    # a shop with examples of its own only (the shipped ones already know this word)
    (folder / "examples" / "written.jsonl").unlink()
    text = "хм многовато выходит"
    alone = classify(text, load_rules(folder))
    assert (alone.intent, alone.confidence) == ("price_objection", 0.5)  # a weak cue only
    rows = [
        {"text": "многовато выходит за такой торт", "label": "price_objection"},
        {"text": "ну многовато выходит, может что попроще", "label": "price_objection"},
        {"text": "хм многовато выходит конечно", "label": "price_objection"},
        {"text": "курьер привезёт завтра к обеду?", "label": "ask_delivery"},
        {"text": "можно оплатить картой при получении", "label": "ask_payment"},
        {"text": "где мой заказ номер 5512", "label": "order_status"},
    ]
    (folder / "examples" / "shop.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    decision = classify(text, load_rules(folder))
    assert (decision.intent, decision.confidence) == ("price_objection", EXAMPLE_CONFIDENCE)


def test_the_same_examples_are_indexed_once() -> None:
    again = [(text, label) for text, label in PAYMENT]
    assert ExampleIndex.of(PAYMENT) is ExampleIndex.of(again)
    assert ExampleIndex.of(PAYMENT) is not ExampleIndex.of(PAYMENT[:2])
