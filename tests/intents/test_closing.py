"""Verdicts that close a dialog give way to the rest of the message's evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.admin_files.rules_loader import load_rules
from chatbot.core.intents import TextFeatures
from chatbot.intents.closing import (
    bargained,
    deferral_by_weight,
    grudging,
    mixed,
    narrowed,
    thanked_for,
    within_longer,
)
from chatbot.intents.cues import Evidence
from chatbot.intents.rules import LOW_CONFIDENCE, RuleSet, classify

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    """The shipped rule files."""
    return load_rules(RULES)


def test_a_refusal_beside_a_question_gives_way() -> None:
    assert narrowed(["refuse", "ask_delivery"], question=True) == ["ask_delivery"]
    assert narrowed(["refuse"], question=True) is None  # nothing else: the LLM decides
    assert narrowed(["refuse"], question=False) == ["refuse"]


def test_a_refusal_beside_a_deferral_is_no_refusal() -> None:
    assert narrowed(["refuse", "need_time"], question=False) == ["need_time"]


def test_an_opt_out_beside_a_request_for_a_person_goes_to_the_person() -> None:
    assert narrowed(["unsubscribe", "human"], question=False) == ["human"]
    assert narrowed(["unsubscribe"], question=False) == ["unsubscribe"]


@pytest.mark.parametrize(
    "text",
    [
        "не надо доставку до двери, можно к шлагбауму привезти?",
        "no need for express, is standard shipping free?",
    ],
)
def test_refusing_a_detail_while_asking_does_not_close(rules: RuleSet, text: str) -> None:
    decision = classify(text, rules)
    assert decision.intent != "refuse"


def test_one_face_over_and_over_is_no_spam(rules: RuleSet) -> None:
    assert classify("🤔🤔🤔🤔🤔", rules).intent != "spam"
    assert classify("🔥💰🎁🚀💎", rules).intent == "spam"


def test_a_greeting_with_a_link_and_a_hint_is_a_customer(rules: RuleSet) -> None:
    decision = classify("добрый вечер, я по ссылке из вашего канала t.me/cakes_shop_spb", rules)
    assert decision.intent != "spam"


def test_sarcastic_praise_in_quotes_is_no_thank_you(rules: RuleSet) -> None:
    decision = classify("спасибо за «отличный» сервис", rules)
    assert decision.intent != "thanks"
    assert decision.confidence < LOW_CONFIDENCE or decision.intent == "complaint"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("пока беру паузу, надо всё обдумать", "thinking"),  # "беру" puts it off
        ("I will have a think before I book it", "thinking"),
        ("обдумали с мужем и решили — берём", "agree"),  # the deliberation is over
    ],
)
def test_agreement_beside_a_deferral_goes_by_the_verbs(
    rules: RuleSet, text: str, intent: str
) -> None:
    assert classify(text, rules).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ну это жесть какая цена", "price_objection"),  # "жесть" says how dear it is
        ("курьер опоздал, это жесть", "complaint"),  # ... and here what went wrong
        ("созвонюсь с мужем и отпишусь", "need_time"),  # a call to someone else
        ("позвоните мне, пожалуйста", "human"),
    ],
)
def test_an_escalation_inside_a_milder_phrase_is_read_in_context(
    rules: RuleSet, text: str, intent: str
) -> None:
    assert classify(text, rules).intent == intent


@pytest.mark.parametrize(
    "text", ["большое спасибо за быструю доставку", "thanks for the quick delivery"]
)
def test_a_topic_named_as_what_a_thank_you_is_for_is_not_asked(rules: RuleSet, text: str) -> None:
    assert classify(text, rules).intent == "thanks"


def test_a_thank_you_beside_a_question_stays_no_thank_you(rules: RuleSet) -> None:
    assert classify("спасибо за доставку, а оплата картой можно?", rules).intent != "thanks"


def _evidence(
    covered: dict[str, frozenset[int]], words: tuple[str, ...], patterned: frozenset[str]
) -> Evidence:
    scores = {name: 1.0 for name in [*covered, *patterned]}
    return Evidence(scores, frozenset(), covered, frozenset(), words, patterned)


def test_an_escalation_a_pattern_found_is_never_read_away() -> None:
    words = ("капец", "дорого")
    inside = {"complaint": frozenset({0}), "price_objection": frozenset({0, 1})}
    strong = ["complaint", "price_objection"]
    assert within_longer(strong, _evidence(inside, words, frozenset())) == ["price_objection"]
    # a pattern found the complaint too: its words are not all the evidence
    assert within_longer(strong, _evidence(inside, words, frozenset({"complaint"}))) == strong
    alone = {"price_objection": frozenset({0, 1})}
    assert within_longer(strong, _evidence(alone, words, frozenset({"complaint"}))) == strong


def test_a_topic_a_pattern_found_is_kept_beside_a_thank_you() -> None:
    plain = "спасибо за доставку"
    words = ("спасибо", "за", "доставку")
    covered = {"thanks": frozenset({0}), "ask_delivery": frozenset({2})}
    strong = ["ask_delivery", "thanks"]
    assert thanked_for(strong, _evidence(covered, words, frozenset()), plain) == ["thanks"]
    patterned = frozenset({"ask_delivery"})
    assert thanked_for(strong, _evidence(covered, words, patterned), plain) == strong


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ещё не определилась, напишу позже", "thinking"),  # only decides later
        ("спрошу у мужа и напишу позже", "need_time"),  # checks first
        ("thanks, I'll get back to you next week", "need_time"),  # a promise alone
    ],
)
def test_of_two_deferrals_the_better_evidenced_wins(rules: RuleSet, text: str, intent: str) -> None:
    assert classify(text, rules).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "спасибо! уточните у мастера время",
        "thank you so much, please confirm",
        "thanks, kindly share the photos",
    ],
)
def test_a_thank_you_with_a_request_closes_nothing(rules: RuleSet, text: str) -> None:
    assert classify(text, rules).intent != "thanks"


def test_spam_hints_outweighed_by_a_clear_request_close_nothing() -> None:
    plain = TextFeatures(words=10)
    # two weak hints of spam beside a clear request for a person: the LLM or a manager reads it
    assert mixed("spam", {"spam": 1.0, "human": 2.0}, plain, question=False)
    # spam with more evidence than the request stays spam
    assert not mixed("spam", {"spam": 2.0, "human": 1.0}, plain, question=False)
    # a greeting is no counter-evidence ("уважаемые коллеги, добрый день, ...")
    assert not mixed("spam", {"spam": 1.0, "greeting": 2.0}, plain, question=False)


@pytest.mark.parametrize(
    "text",
    [
        "thanks for making me wait 3 hours",
        "cheers for the 3 hour wait",
        "благодарю за ожидание в 2 часа под дверью",
        "прождал полдня, спасибо",
    ],
)
def test_a_thank_you_beside_a_grievance_closes_nothing(rules: RuleSet, text: str) -> None:
    decision = classify(text, rules)
    assert decision.intent != "thanks"
    assert decision.intent == "complaint" or decision.confidence < LOW_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    ["thanks a lot!", "thanks again, you are the best", "спасибо, всё пришло без единой царапины"],
)
def test_a_grievance_word_of_the_thanks_or_a_negated_one_keeps_it(
    rules: RuleSet, text: str
) -> None:
    assert classify(text, rules).intent == "thanks"


def test_grudging_looks_only_at_grievance_words_outside_the_thanks() -> None:
    words = ("thanks", "for", "the", "hour", "wait")
    outside = {"thanks": frozenset({0}), "complaint": frozenset({3})}
    assert grudging(_evidence(outside, words, frozenset()))
    same = {"thanks": frozenset({0, 3}), "complaint": frozenset({3})}
    assert not grudging(_evidence(same, words, frozenset()))
    negated = Evidence(
        {"thanks": 1.0, "complaint": 1.0}, frozenset({"complaint"}), outside, frozenset(), words
    )
    assert not grudging(negated)


def test_an_agreement_whose_words_a_refusal_holds_gives_way() -> None:
    words = ("please", "dont", "book", "it")
    covered = {"agree": frozenset({2, 3}), "refuse": frozenset({1, 2, 3})}
    strong = ["agree", "refuse"]
    assert within_longer(strong, _evidence(covered, words, frozenset())) == ["refuse"]
    apart = {"agree": frozenset({2, 3}), "refuse": frozenset({1})}
    assert within_longer(strong, _evidence(apart, words, frozenset())) == strong


def test_a_person_named_beside_a_better_evidenced_check_is_no_call_for_staff() -> None:
    strong = ["human", "need_time"]
    assert deferral_by_weight(strong, {"human": 1.0, "need_time": 2.0}) == ["need_time"]
    assert deferral_by_weight(strong, {"human": 1.0, "need_time": 1.0}) == strong


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Will confirm after I speak with the committee on Monday", "need_time"),
        ("позовите менеджера пожалуйста", "human"),
    ],
)
def test_a_check_with_someone_else_is_need_time(rules: RuleSet, text: str, intent: str) -> None:
    assert classify(text, rules).intent == intent


def test_agreement_beside_a_price_objection_in_a_question_is_a_bargain() -> None:
    words = ("можно", "скидку", "беру")
    covered = {"agree": frozenset({2}), "price_objection": frozenset({1})}
    found = _evidence(covered, words, frozenset())
    strong = ["agree", "price_objection"]
    assert bargained(strong, found, question=True) == ["price_objection"]
    assert bargained(strong, found, question=False) == strong
    assert bargained(["agree"], found, question=True) == ["agree"]


def test_agreement_inside_a_question_about_a_topic_is_no_yes_yet() -> None:
    words = ("is", "there", "a", "deposit", "to", "book")
    inside = {"ask_payment": frozenset({3}), "agree": frozenset({5})}
    strong = ["agree", "ask_payment"]
    assert bargained(strong, _evidence(inside, words, frozenset()), True) == ["ask_payment"]
    # "беру, как оплатить?": the agreement comes first, then the question how
    first = {"agree": frozenset({0}), "ask_payment": frozenset({2})}
    said = ("беру", "как", "оплатить")
    assert bargained(strong, _evidence(first, said, frozenset()), True) == strong


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("не буду торопиться, подумаю спокойно и отвечу", "thinking"),
        ("я не отказываюсь, просто пока думаю", "thinking"),
        ("я подумала и решила не брать", "refuse"),  # the deliberation is over
        ("been thinking it over and I'll pass this time", "refuse"),
    ],
)
def test_a_refusal_beside_a_deliberation_goes_by_the_verbs(
    rules: RuleSet, text: str, intent: str
) -> None:
    assert classify(text, rules).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Do you need a deposit to book the entertainer?", "ask_payment"),
        ("беру, как оплатить?", "agree"),
        ("Можно скидку? Беру много", "price_objection"),
        ("bit pricey for 10 shirts, any bulk deal?", "price_objection"),
        ("ok fine even tho its pricey, go ahead", "agree"),
    ],
)
def test_a_bargain_and_a_yes_are_told_apart(rules: RuleSet, text: str, intent: str) -> None:
    assert classify(text, rules).intent == intent


def test_an_opt_out_is_never_spam() -> None:
    plain = TextFeatures(words=6)
    scores = {"spam": 1.0, "unsubscribe": 1.0}
    assert mixed("spam", scores, plain, question=False)


def test_an_adverts_own_opt_out_line_stays_spam(rules: RuleSet) -> None:
    assert classify("I keep getting your promo texts, STOP", rules).intent != "spam"
    advert = "Скидка 50% на всё! Для отписки ответьте СТОП"
    assert classify(advert, rules).intent == "spam"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("It's been 3 days since I paid, when is it shipping?", "order_status"),
        ("заказ 48213, когда привезёте?", "order_status"),
        ("when do you ship to Ireland?", "ask_delivery"),
        ("я оплатила вчера", "ask_payment"),  # asks nothing about delivery
    ],
)
def test_a_delivery_question_about_a_placed_order_asks_its_status(
    rules: RuleSet, text: str, intent: str
) -> None:
    assert classify(text, rules).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "May I speak with your sales team regarding a bulk order for our site?",
        "А вы берёте на работу? Ищу подработку курьером",
        "need to check my tyre size, will txt back in a bit",
        "Кто выиграл вчера матч?",
        "How do I leave you a Google review?",
    ],
)
def test_customers_with_an_advert_like_word_are_no_spam(rules: RuleSet, text: str) -> None:
    assert classify(text, rules).intent != "spam"


@pytest.mark.parametrize(
    "text", ["Not at the moment, thanks", "not this year, thanks", "not for now thanks"]
)
def test_a_refusal_that_ends_in_thanks_is_no_thank_you(rules: RuleSet, text: str) -> None:
    assert classify(text, rules).intent == "refuse"


@pytest.mark.parametrize(
    "text",
    [
        "Free tones! Text TONE to 81618 now. To stop texts, txt STOP to 80062",
        "Claim your prize, call 09050002311. Unsubscribe with STOP, no extra charge",
    ],
)
def test_an_adverts_instructions_to_opt_out_are_no_opt_out(rules: RuleSet, text: str) -> None:
    assert classify(text, rules).intent != "unsubscribe"
    assert classify("stop texting me", rules).intent == "unsubscribe"
