"""The rules classifier on hand-written messages: word forms, slang, typos, tie-breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.intents.rules import RuleSet, classify
from chatbot.intents.rules_loader import load_rules

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    """The shipped rule files."""
    return load_rules(RULES)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("подумаю", "thinking"),
        ("мы подумаем до выходных", "thinking"),
        ("надо подумать", "thinking"),
        ("спс", "thanks"),
        ("норм спасибо", "thanks"),
        ("ок", "thanks"),
        ("👍", "thanks"),
        ("спасибо а доставка в воскресенье работает", "ask_delivery"),
        ("спасибо, а сколько стоит большая коробка шаров?", "ask_price"),
        ("уточню у мужа и отпишусь", "need_time"),
        ("утончю у жены", "need_time"),
        ("позовите менеджера", "human"),
        ("верните деньги, шары лопнули", "complaint"),
        ("беру как оплатить", "agree"),
        ("если можно наличными то беру", "ask_payment"),
        ("дороговато подумаю", "price_objection"),
        ("уже купили в другом месте дешевле", "refuse"),
        ("где мой заказ", "order_status"),
        ("Здравствуйте 🙂", "greeting"),
        ("да", "other"),
        ("7", "other"),
        ("Заработок без вложений, пиши в лс", "spam"),
        ("thanks a lot", "thanks"),
        ("how much is the big bouquet", "ask_price"),
        ("I'll think about it", "thinking"),
    ],
)
def test_intent(rules: RuleSet, text: str, intent: str) -> None:
    assert classify(text, rules).intent == intent


def test_unknown_message_is_other_with_low_confidence(rules: RuleSet) -> None:
    decision = classify("хм", rules)
    assert decision.intent == "other"
    assert decision.confidence < 0.6
    assert decision.source == "rules"


def test_clear_message_has_high_confidence(rules: RuleSet) -> None:
    assert classify("позовите менеджера пожалуйста", rules).confidence >= 0.75


def test_features_count_emojis_and_links(rules: RuleSet) -> None:
    one = classify("Здравствуйте 🙂", rules).features
    assert (one.emojis, one.links) == (1, 0)
    many = classify("🔥🔥🔥💰💰 https://x.example/a", rules).features
    assert many.emojis == 5
    assert many.foreign_links == 1
    shop = classify("а такой есть? https://shop.example/p/1", rules,
                    allowed_domains=frozenset({"shop.example"})).features  # fmt: skip
    assert shop.links == 1
    assert shop.foreign_links == 0


def test_emoji_flood_is_spam(rules: RuleSet) -> None:
    assert classify("🤑🤑🤑🤑🤑🤑", rules).intent == "spam"


def test_number_feature(rules: RuleSet) -> None:
    assert classify("10", rules).features.number == 10
    assert classify("10 шаров", rules).features.number is None
