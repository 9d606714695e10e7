"""Lemmas: word forms meet at one dictionary form, words that only begin alike stay apart."""

from __future__ import annotations

import pytest

from chatbot.intents.lemmas import in_dictionary, is_imperative, is_past, lemma, lemmas


@pytest.mark.parametrize(
    "family",
    [
        ("подумаю", "подумаем", "подумать", "подумайте"),
        ("оплату", "оплата", "оплаты", "оплатой"),
        ("доставка", "доставки", "доставку", "доставкой"),
        ("менеджер", "менеджера", "менеджеру", "менеджером"),
        ("уточню", "уточним", "уточнить", "уточните"),
        ("посоветуюсь", "посоветуемся", "посоветоваться"),
        ("thanks", "thank"),
        ("deliver", "delivered", "delivering", "delivers"),
        ("ship", "shipped", "shipping"),
        ("delivery", "deliveries"),
    ],
)
def test_word_forms_share_a_lemma(family: tuple[str, ...]) -> None:
    assert len({lemma(word) for word in family}) == 1, [lemma(w) for w in family]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("займет", "займ"),  # "will take (time)" is no loan
        ("отпишусь", "отпишите"),  # "I'll write back" is no "unsubscribe me"
        ("букет", "бук"),
        ("reply", "rep"),
    ],
)
def test_words_that_begin_alike_stay_apart(one: str, other: str) -> None:
    assert lemma(one) != lemma(other)


def test_e_for_yo_digits_and_several_words() -> None:
    assert lemma("займ") == "заем"  # the dictionary's "заём", written as normalize writes it
    assert lemma("2026") == "2026"
    assert lemmas(["позовите", "менеджера"]) == ["позвать", "менеджер"]


@pytest.mark.parametrize("word", ["решила", "подумали", "посовещались", "decided", "thought"])
def test_past_tense_verbs(word: str) -> None:
    assert is_past(word)


@pytest.mark.parametrize("word", ["решу", "подумаю", "беру", "решение", "need", "think", "qwzx"])
def test_other_words_are_not_past(word: str) -> None:
    assert not is_past(word)


def test_imperatives_are_requests() -> None:
    assert is_imperative("оформляйте")
    assert is_imperative("отложите")  # also "you will put off": a request either way
    assert not is_imperative("отложу")
    assert not is_imperative("book")  # English forms say nothing


def test_the_dictionary_tells_real_words_from_typos() -> None:
    assert in_dictionary("инвертор")
    assert in_dictionary("заветренные")
    assert not in_dictionary("даставка")  # a typo: the cue matcher may correct it
    assert not in_dictionary("delivery")  # English words are not in the Russian dictionary
