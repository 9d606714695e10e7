"""The words' statistics over many labelled examples name an intent no near example names."""

from __future__ import annotations

from chatbot.intents.examples import ExampleIndex, example_words
from chatbot.intents.word_statistics import MIN_EXAMPLES, WordStatistics

DELIVERY = ["курьер привезёт в субботу", "доставка до двери будет", "курьер приедет вечером"]
PAYMENT = ["оплата картой при получении", "можно оплатить переводом", "картой оплатить можно"]


def _many(texts: list[str], label: str, n: int) -> list[tuple[str, str]]:
    """n examples of one label, cycling through the texts with a distinct number each."""
    return [(f"{texts[i % len(texts)]} {i}", label) for i in range(n)]


def _model(examples: list[tuple[str, str]]) -> WordStatistics | None:
    bags = [set(example_words(text)) for text, _ in examples]
    return WordStatistics.build(bags, [label for _, label in examples])


def test_too_few_examples_learn_nothing() -> None:
    assert _model(_many(DELIVERY, "ask_delivery", MIN_EXAMPLES - 1)) is None


def test_one_intent_alone_learns_nothing() -> None:
    assert _model(_many(DELIVERY, "ask_delivery", MIN_EXAMPLES)) is None


def test_typical_words_name_their_intent() -> None:
    model = _model(_many(DELIVERY, "ask_delivery", 150) + _many(PAYMENT, "ask_payment", 150))
    assert model is not None
    assert model.typical(set(example_words("а курьер в субботу сможет"))) == "ask_delivery"
    assert model.typical(set(example_words("переводом на карту норм"))) == "ask_payment"


def test_unknown_or_balanced_words_name_nothing() -> None:
    model = _model(_many(DELIVERY, "ask_delivery", 150) + _many(PAYMENT, "ask_payment", 150))
    assert model is not None
    assert model.posterior(set(example_words("зелёный слон"))) == []
    assert model.typical(set(example_words("зелёный слон"))) is None
    ranked = model.posterior(set(example_words("курьер картой")))
    assert abs(sum(p for p, _ in ranked) - 1.0) < 1e-9
    assert model.typical(set(example_words("курьер картой"))) is None  # one word each way


def test_the_index_asks_the_statistics_only_when_no_example_is_near() -> None:
    index = ExampleIndex.build(
        _many(DELIVERY, "ask_delivery", 150) + _many(PAYMENT, "ask_payment", 150)
    )
    assert index.statistics is not None
    text = "субботу вечером сможете"  # no example is near enough, the words lean to delivery
    assert index.nearest(text) is None
    assert index.decide(text) is None
    assert index.decide(text, statistics=True) == "ask_delivery"


def test_statistics_never_close_a_dialog() -> None:
    examples = _many(DELIVERY, "thanks", 150) + _many(PAYMENT, "ask_payment", 150)
    index = ExampleIndex.build(examples)
    assert index.statistics is not None
    text = "субботу вечером сможете"
    assert index.statistics.typical(set(example_words(text))) == "thanks"
    assert index.decide(text, statistics=True) is None  # the LLM or a manager decides
