"""Verdicts that act on their own, weighed against the rest of a message's evidence.

`thanks`, `spam`, `refuse` and `unsubscribe` close a dialog, flag a customer or stop the bot's
messages when acted on. The rules give them only when nothing in the message speaks against
them; otherwise another intent the message carries wins, or `other` with a low confidence lets
the LLM or a manager decide. Where two intents' cues meet and the priority list would misread
the message, the forms, order and reach of their words decide instead: agreement or refusal
against a deferral (thinking also acts, by its nudges), an escalation or the milder phrase that
holds its words, an agreement or a topic inside a question, a delivery question or the order
it follows.
"""

from __future__ import annotations

import re

from chatbot.core.intents import BUYING_INTENTS, TextFeatures
from chatbot.intents.cues import ENOUGH, WEAK, Evidence
from chatbot.intents.lemmas import is_imperative, is_past
from chatbot.intents.normalize import split_words

LINK_WEIGHT = WEAK  # a link to a site that is not the shop's: a hint of advertising
DEFERRING = frozenset({"need_time", "thinking"})
ESCALATING = frozenset({"complaint", "human"})  # a manager's task, sooner than the rest
MILDER = DEFERRING | {"price_objection"}
TOPICS = frozenset({"ask_price", "ask_delivery", "ask_payment", "order_status"})
# What a thank-you is for, up to the end of its clause: "спасибо за быструю доставку"
_GRATITUDE_FOR = re.compile(
    r"\b(?:спасибо|спс|благодарю|благодарим|благодарна|благодарен|thanks|thank you|thx|ty|cheers)"
    r"\s+(?:\w+\s+){0,2}?(?:за|for)\s+([^,.;:!?()]+?)(?=\s+(?:а|но|и|but|and)\b|[,.;:!?()]|$)"
)
# An order already placed: its number, or a past "ordered" / "paid"
_PLACED = re.compile(
    r"(?:#|№|\b(?:order|заказ\w*|ref|номер)\W{0,3})\d{3,}"
    r"|\b(?:заказал\w*|оплатил\w*|ordered|paid|placed)\b"
)
NEGATIONS = frozenset({"не", "not", "never", "havent", "hasnt", "didnt"})
# What may stand beside a thank-you without making it something else ("привет, спасибо!")
GRATITUDE = frozenset({"thanks", "greeting"})
# Strong evidence of these next to "спасибо" makes it no thank-you note
NOT_THANKS = frozenset(
    {"refuse", "complaint", "price_objection", "human", "agree", "unsubscribe", "spam"}
)


def narrowed(strong: list[str], question: bool) -> list[str] | None:
    """The strong intents less a refusal or an opt-out that the rest outweighs.

    "Не надо в пункт выдачи, можно курьером?" refuses a detail and asks; "стоп, не оформляйте
    пока, надо спросить начальника" puts off; "stop sending buttons, put me through to someone"
    wants a person. None when the refusal was all the evidence and the message asks something.
    """
    kept = list(strong)
    if "refuse" in kept and (question or "need_time" in kept):
        kept.remove("refuse")
    if "unsubscribe" in kept and "human" in kept:
        kept.remove("unsubscribe")
    return None if strong and not kept else kept


def within_longer(strong: list[str], evidence: Evidence) -> list[str]:
    """The strong intents less an escalation or an agreement whose words are part of another.

    "Капец дорого" objects to the price with the complaint word "капец"; "созвонюсь с подругой
    и скажу" puts off with the call of `human`; "жду ответа от ресторана" waits for someone
    else. The longer phrase reads those words in context: no grievance, no call for a person.
    Likewise "please don't book it" refuses with the words of an agreement.
    """
    kept = [
        name
        for name in strong
        if name not in ESCALATING
        or not any(_inside(name, other, evidence) for other in MILDER.intersection(strong))
    ]
    if "refuse" in kept and "agree" in kept and _inside("agree", "refuse", evidence):
        kept.remove("agree")
    return kept


def _inside(name: str, other: str, evidence: Evidence) -> bool:
    """Every word that found `name` is part of what found `other` (a pattern shows none)."""
    own = evidence.covered.get(name, frozenset())
    return bool(own) and name not in evidence.patterned and own < evidence.covered.get(other, own)


def thanked_for(strong: list[str], evidence: Evidence, plain: str) -> list[str]:
    """The strong intents less a topic named only as what a thank-you is for.

    "Спасибо за быструю доставку" and "thanks for sorting the invoice" thank; they ask nothing
    about delivery or payment. Used only when the message asks nothing: "cheers for the update,
    when is the courier coming?" asks about the same order.
    """
    thanked = {w for m in _GRATITUDE_FOR.finditer(plain) for w in split_words(m.group(1))}
    if not thanked:
        return strong
    words = evidence.words
    return [
        name
        for name in strong
        if name not in TOPICS
        or name in evidence.patterned
        or not evidence.covered.get(name)
        or not all(words[i] in thanked for i in evidence.covered[name])
    ]


def deferral_by_weight(strong: list[str], scores: dict[str, float]) -> list[str]:
    """Of two deferrals, the one with more evidence first; a tie keeps the priority.

    Both promise to come back ("get back to you", "напишу позже"); what tells them apart is
    the rest: "not sure yet" decides later, "ask my wife" checks first. A person named beside
    a better-evidenced check is the one to be asked, not a call for the shop's staff ("will
    confirm after I speak with the committee", "согласую с руководителем и вернусь").
    """
    if "human" in strong and "need_time" in strong and scores["need_time"] > scores["human"]:
        strong = [n for n in strong if n != "human"]
    if not DEFERRING.issubset(strong) or scores["thinking"] <= scores["need_time"]:
        return strong
    return [n for n in strong if n != "need_time"] + ["need_time"]


def bargained(strong: list[str], evidence: Evidence, question: bool) -> list[str]:
    """Agreement inside a question about a price or a topic is no yes yet.

    "Можно скидку? Беру много" and "bit pricey, any bulk deal?" ask for a better price first;
    "is there a deposit to book the room?" asks about payment with the words of a booking.
    "Ok fine even tho its pricey, go ahead" asks nothing and agrees, and "беру, как оплатить?"
    agrees first and then asks how.
    """
    if not question or "agree" not in strong:
        return strong
    if "price_objection" in strong or _asked_first(TOPICS.intersection(strong), evidence):
        return [n for n in strong if n != "agree"]
    return strong


def already_ordered(strong: list[str], plain: str, question: bool) -> list[str]:
    """A delivery question about an order already placed asks for its status.

    "It's been 3 days since I paid, when is it shipping?", "order placed 3rd june ref 88123,
    when will it ship?" follow an order; "when do you ship to Ireland?" asks before one.
    """
    if not question or "ask_delivery" not in strong or "order_status" in strong:
        return strong
    return ["order_status", *strong] if _PLACED.search(plain) else strong


def _asked_first(topics: frozenset[str], evidence: Evidence) -> bool:
    """A topic's words come before every word of the agreement."""
    agreed = evidence.covered.get("agree", frozenset())
    asked = _positions(evidence, topics)
    return bool(agreed and asked) and min(asked) < min(agreed)


def decided_or_deferred(strong: list[str], evidence: Evidence) -> list[str]:
    """Agreement or refusal beside a deferral: one of them, by the forms of their verbs.

    A deliberation told in the past ("подумал — беру", "я подумала и решила не брать") or an
    agreement that asks the shop to act ("согласовали, выставляйте счёт") is a decision made;
    otherwise the decision is put off ("пока беру паузу на раздумья", "sounds good but not
    ready to commit", "не буду торопиться, подумаю", "я не отказываюсь, просто пока думаю").
    A refusal beside a check with someone is left to `narrowed`.
    """
    deferring = DEFERRING.intersection(strong)
    agreed = "agree" in strong and bool(deferring)
    refused = "refuse" in strong and "thinking" in strong
    if not agreed and not refused:
        return strong
    decision = "agree" if agreed else "refuse"
    words = evidence.words
    deferred = _positions(evidence, deferring)
    done = any(_told_as_done(words, i) for i in deferred)
    # a pattern's agreement ("оформляйте", "+") is an explicit one
    asked = agreed and (
        "agree" in evidence.patterned
        or any(is_imperative(words[i]) for i in evidence.covered.get("agree", frozenset()))
    )
    if done or asked:
        return [n for n in strong if n not in DEFERRING]
    return [n for n in strong if n != decision]


def _positions(evidence: Evidence, intents: frozenset[str]) -> frozenset[int]:
    """The positions of the words that found any of these intents."""
    return frozenset().union(*(evidence.covered.get(k, frozenset()) for k in intents))


def _told_as_done(words: tuple[str, ...], i: int) -> bool:
    """A deliberation in the past, not negated: "подумали", "thought it over", "been thinking"."""
    before = words[i - 1] if i else ""
    return (is_past(words[i]) and before not in NEGATIONS) or before == "been"


def grudging(evidence: Evidence) -> bool:
    """A thank-you beside a grievance's words outside it: sarcasm, or thanks with a complaint.

    "Thanks for making me wait 3 hours", "благодарю за ожидание в 2 часа" are no thank-you
    notes. Even a weak grievance cue counts, when its words are not the thanks' own ("thanks
    a lot") and no negative cue cancels it ("без единой царапины"). Such a message is not
    closed by the rules.
    """
    thanked = evidence.covered.get("thanks", frozenset())
    grievance = evidence.covered.get("complaint", frozenset())
    return "complaint" not in evidence.negated and bool(grievance - thanked)


def mixed(best: str, scores: dict[str, float], feats: TextFeatures, question: bool) -> bool:
    """Strong evidence against an intent whose verdict closes a dialog on its own.

    "Спасибо, но уже купили в другом месте" has refusal cues; "криптой оплатить можно?" has
    payment ones; a link to a marketplace product is a wish. Such messages are not closed by
    the rules: `other` with a low confidence lets the LLM or a manager decide. A stray weak cue
    ("thanks a lot") is no such evidence.
    """
    strong = {k for k, v in scores.items() if v >= ENOUGH and k != best}
    if best == "thanks":
        return bool(strong & NOT_THANKS) or (question and bool(strong - GRATITUDE))
    if best == "spam":
        if feats.product_links or "unsubscribe" in strong:
            return True  # "I keep getting your promo texts, STOP" is a customer opting out
        spam = scores.get("spam", 0.0)
        if feats.foreign_links:
            # an advertising link beside spam cues; but a greeting or a question beside a link
            # and a hint ("я по ссылке из вашего канала t.me/...") is a customer
            return bool(strong) and spam - LINK_WEIGHT < ENOUGH
        # a buying signal or a grievance ("a complaint against your business") that the spam
        # cues do not outweigh by a whole cue
        customer = max((scores.get(k, 0.0) for k in (*BUYING_INTENTS, "complaint")), default=0.0)
        if customer >= ENOUGH and spam < customer + ENOUGH:
            return True
        # any other intent with more evidence than the spam cues ("прошу связать меня с
        # менеджером по работе с оптовыми клиентами": two hints of spam, a clear request)
        return any(v > spam for k, v in scores.items() if k in strong - GRATITUDE)
    return False
