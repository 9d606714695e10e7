"""The first-message spam rule with the real rules: buyers never, advertising still."""

from __future__ import annotations

from itertools import product

import pytest

from chatbot.admin_files.rules_source import load_rules_fn
from chatbot.core.effects import Close, Flag
from chatbot.core.events import CustomerMessage
from chatbot.core.state import DialogState
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec_shop import PRODUCT_LINK_DOMAINS
from chatbot.engine.step import step
from tests.engine.conftest import FLOWS
from tests.engine.driver import Driver

# Buyers' first messages, written the way customers type them.
BUYERS = [
    "Хочу заказать шарики на день рождения",
    "здравствуйте сколько стоит набор из 15 шаров",
    "нужна фотозона на выпускной 25 июня",
    "а доставка в химки есть",
    "можно оплатить картой при получении?",
    "где мой заказ А-1542",
    "хочу такие",
    "сделаете такую же арку?",
    "I want to order balloons for a birthday",
    "how much for 20 helium balloons",
]
FESTIVE = "🎉🎈🎂🥳🎁🎊💐❤️🌸✨🎀🥂"
ADVERTS = [
    "Раскрутка инстаграм недорого 🔥🔥🔥🔥 пишите https://promo-smm.xyz/start",
    "💰💰💰💰 заработок от 5000 в день без вложений",
    "Продвижение сайта в топ яндекса, подробности https://seo-top.site",
    "🔥🔥🔥🔥🔥 только сегодня",
    "https://casino-bonus.xyz https://win-big.top",
]


@pytest.fixture(scope="module")
def rules(flows: FlowSet) -> RulesFn:
    """The shipped rule files, bound like the pipeline binds them."""
    return load_rules_fn(FLOWS, flows)


def _first(text: str, flows: FlowSet, rules: RulesFn, dialog: Driver) -> list[object]:
    event = CustomerMessage(text, rules(text))
    return list(step(DialogState(channel="telegram"), event, flows, dialog.now).effects)


@pytest.mark.parametrize("emojis", [0, 1, 4, 8, 12])
def test_a_buyer_with_up_to_a_dozen_emojis_is_never_spam(
    emojis: int, flows: FlowSet, rules: RulesFn, dialog: Driver
) -> None:
    for text in BUYERS:
        effects = _first(f"{text} {FESTIVE[: emojis * 2]}".strip(), flows, rules, dialog)
        assert Close("spam") not in effects, text
        assert Flag("spammer") not in effects, text


def test_a_buyer_with_any_product_link_is_never_spam(
    flows: FlowSet, rules: RulesFn, dialog: Driver
) -> None:
    own = flows.shop.allowed_link_domains
    for domain, text in product([*PRODUCT_LINK_DOMAINS, *own], ["", *BUYERS[:4], "вот такой"]):
        message = f"https://www.{domain}/product/12345 {text} 🎈🎈🎈🎈".strip()
        effects = _first(message, flows, rules, dialog)
        assert Close("spam") not in effects, message


@pytest.mark.parametrize("text", ADVERTS)
def test_an_advertising_first_message_is_still_closed(
    text: str, flows: FlowSet, rules: RulesFn, dialog: Driver
) -> None:
    effects = _first(text, flows, rules, dialog)
    assert Flag("spammer") in effects
    assert Close("spam") in effects
