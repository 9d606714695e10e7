"""Menu choices by button, number or word, in any word form."""

from __future__ import annotations

import pytest

from chatbot.engine.menu import match_option
from chatbot.engine.spec import MenuOption

OPTIONS = [
    MenuOption(id="order", label="l", words={"ru": ["заказ", "подбор"], "en": ["order"]}),
    MenuOption(id="status", label="l", words={"ru": ["где заказ", "статус"]}),
    MenuOption(id="payment", label="l", words={"ru": ["оплата"], "en": ["pay"]}),
]


def _chosen(text: str, button: str | None = None) -> str | None:
    found = match_option(text, button, OPTIONS, "ru")
    return found.id if found else None


def test_button_wins() -> None:
    assert _chosen("whatever", "payment") == "payment"


@pytest.mark.parametrize(("text", "option"), [("1", "order"), (" 3 ", "payment"), ("2.", "status")])
def test_typed_number(text: str, option: str) -> None:
    assert _chosen(text) == option


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("оплата", "payment"),
        ("Оплату", "payment"),
        ("оплатить", "payment"),
        ("статус", "status"),
        ("pay", "payment"),
        ("заказать", "order"),
    ],
)
def test_word_forms(text: str, option: str) -> None:
    assert _chosen(text) == option


@pytest.mark.parametrize("text", ["7", "0", "привет", "у меня не проходит оплата картой сбер"])
def test_no_match(text: str) -> None:
    assert _chosen(text) is None
