"""The rules classifier: cues score intents, a fixed priority breaks ties.

Each cue found adds its weight to its intent (a normal cue 1, a weak cue 0.5); a score of 1
is enough evidence. A negative cue vetoes its intent ("если можно картой, то беру" is not
`agree`). Among intents with enough evidence, the earliest in the priority list wins.
Social intents (greeting, thanks, thinking, need_time) lose to any real content: when only a
social cue was found but the message also asks something the rules do not know, the answer is
`other` with a low confidence, so the LLM layer takes a look.

Confidence: 0.9 for one clear intent, 0.8 when the priority had to choose, 0.1 less for long
messages or typo-corrected cues, at most 0.55 when one cue explains little of a long message,
0.5 for weak evidence only, 0.4-0.45 for a social phrase next to an unknown question and 0.3
when nothing matched. The nearest labelled examples (examples.py) may name such an unsure
`other`, or confirm a weak intent, at 0.6. The LLM layer is asked when the confidence is below 0.6
(LOW_CONFIDENCE) or the intent is `other`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from chatbot.core.intents import Classification, TextFeatures
from chatbot.intents.closing import (
    DEFERRING,
    LINK_WEIGHT,
    already_ordered,
    bargained,
    decided_or_deferred,
    deferral_by_weight,
    grudging,
    mixed,
    narrowed,
    thanked_for,
    within_longer,
)
from chatbot.intents.cues import ENOUGH, WEAK, CueIndex, Evidence, match
from chatbot.intents.examples import ExampleIndex
from chatbot.intents.lemmas import lemma
from chatbot.intents.normalize import (
    emojis,
    features,
    normalize,
    split_words,
    without_links,
)

LOW_CONFIDENCE = 0.6
UNSURE = 0.45  # `other` at most this sure: no cue explained the message, or cues disagreed
EXAMPLE_CONFIDENCE = 0.6  # named by the nearest examples: acted on, yet below a cue's 0.8-0.9
THANKS_MAX_REST = 5  # words besides the thanks itself ("спасибо, мама в восторге от букета")
THANKS_MAX_PRAISE = 30  # ... when nothing but gratitude is found in the message
ACKNOWLEDGED_MAX_REST = 1  # words besides an "ok" that closes ("ok thanks", not "ok, is it ...")
THIN_COVERAGE = 0.15
THIN_MIN_WORDS = 10
MIN_ASKING_WORDS = 3  # "вы тут?" is small talk; "есть шары с гелием?" asks something
LONG_MESSAGE = 15  # words; the more is said, the likelier the rules missed part of it
# Without a question, "уточню адрес доставки" names what will be checked: it stays need_time.
QUESTIONS = frozenset({"ask_price", "ask_delivery", "ask_payment", "other"})
# A question word opening the message or a clause ("спасибо, а когда доставка"); inside a
# clause it is reported speech ("спрошу у мамы, какие цветы она любит" is not a question).
# ... unless it asks the shop itself to do something ("not sure it went through, can u check")
_DIRECT_REQUEST = re.compile(
    r"\b(?:can|could|would) (?:u|you)\b|\btell me\b"
    r"|\b(?:можете|сможете|могли бы|скажите|подскажите|напишите)\b"
)
_CLAUSE_START = re.compile(r"(?:^|[,.;:!()]\s*|\b(?:а|и|но|или|and|but|so|or)\s+)([a-zа-я]+)")


@dataclass(frozen=True)
class RuleSet:
    """Everything the rules classifier needs, compiled once by the loader."""

    index: CueIndex
    priority: tuple[str, ...]
    social: frozenset[str] = frozenset({"greeting", "thanks", "thinking", "need_time"})
    fillers: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    request_words: frozenset[str] = frozenset()
    # "ok", "понятно": thanks only when next to nothing else is said ("ok, waiting for the call")
    acknowledgement_words: frozenset[str] = frozenset()
    approval_emojis: frozenset[str] = frozenset()
    displeased_emojis: frozenset[str] = frozenset()
    spam_emojis: int = 4
    examples: ExampleIndex | None = None

    @property
    def intent_names(self) -> frozenset[str]:
        """Every intent the rules can return."""
        return frozenset(self.priority) | {"other"}


def classify(
    text: str,
    rules: RuleSet,
    *,
    allowed_domains: frozenset[str] = frozenset(),
    product_domains: frozenset[str] = frozenset(),
) -> Classification:
    """The intent of a message by the rules, with a confidence and its surface features."""
    plain = normalize(without_links(text))
    every_word = split_words(plain)
    feats = features(text, allowed_domains, words=len(every_word), product_domains=product_domains)
    words = [w for w in every_word if w not in rules.fillers]
    if _asks(plain, words, rules):
        feats = replace(feats, asks=True)
    if not any(not w.isdigit() for w in words):
        intent, confidence = _wordless(text, feats, rules)
        return Classification(intent, confidence, "rules", feats)
    evidence = match(words, plain, rules.index)
    scores = {k: v for k, v in evidence.scores.items() if k not in evidence.negated}
    if feats.emojis >= rules.spam_emojis:
        # a flood of emojis with no words is spam (see _wordless); with words only a hint
        scores["spam"] = scores.get("spam", 0.0) + WEAK
    if feats.foreign_links > feats.product_links:
        scores["spam"] = scores.get("spam", 0.0) + LINK_WEIGHT
    intent, confidence = _decide(scores, evidence, plain, rules, feats)
    if intent == "thanks" and _displeased(text, rules):
        intent, confidence = "other", 0.45  # "спасибо за доставку 🙄"
    if confidence < LOW_CONFIDENCE and rules.examples is not None:
        unsure_other = intent == "other" and confidence <= UNSURE
        # the words' statistics over all examples for an unsure `other` or a weak cue
        named = rules.examples.decide(text, statistics=unsure_other or intent != "other")
        # an unsure `other` takes the examples' intent; a weak cue, their agreement
        if named is not None and (named == intent or unsure_other):
            intent, confidence = named, EXAMPLE_CONFIDENCE
    return Classification(intent, confidence, "rules", feats)


def _decide(
    scores: dict[str, float], evidence: Evidence, plain: str, rules: RuleSet, feats: TextFeatures
) -> tuple[str, float]:
    strong = within_longer([n for n in rules.priority if scores.get(n, 0.0) >= ENOUGH], evidence)
    # "подумаю, но сначала скажите цену" asks the shop something, with or without "?"
    question = _is_question(plain, rules) or bool(_DIRECT_REQUEST.search(plain))
    if not question and DEFERRING.intersection(strong):
        strong = [n for n in strong if n not in QUESTIONS]
    if not question:
        strong = thanked_for(strong, evidence, plain)
    kept = narrowed(strong, question)
    if kept is None:
        return "other", 0.45  # "no need for the topper, can you write ... on it?"
    strong = deferral_by_weight(decided_or_deferred(kept, evidence), scores)
    strong = already_ordered(bargained(strong, evidence, question), plain, question)
    if strong:
        best = strong[0]
        if best in DEFERRING and "?" not in plain and not _DIRECT_REQUEST.search(plain):
            question = False  # "спрошу жену, какие даты ей удобны" reports a question
        if best in rules.social and _asks_more(best, evidence, question, feats.asks):
            return "other", 0.45
        if best == "thanks" and _only_acknowledged(evidence, rules, question):
            return "other", 0.45  # "ok" beside words no cue explains: a thank-you or not?
        if best == "thanks" and grudging(evidence):
            return "other", 0.45  # "thanks for making me wait 3 hours"
        if mixed(best, scores, feats, question):
            return "other", 0.45  # an intent that acts alone, against other evidence: look again
        confidence = 0.9 if len(strong) == 1 else 0.8
        if best in evidence.fuzzy:
            confidence -= 0.1
        if len(evidence.words) > LONG_MESSAGE:
            confidence -= 0.1
        if _coverage(evidence) < THIN_COVERAGE and len(evidence.words) >= THIN_MIN_WORDS:
            confidence = min(confidence, 0.55)  # one cue in a long text: let the LLM look
        return best, round(confidence, 2)
    # spam needs full evidence: a wrong spam verdict closes the dialog and flags the customer
    weak = [n for n in rules.priority if scores.get(n, 0.0) > 0.0 and n != "spam"]
    if weak:
        best = weak[0]
        if best in rules.social and _asks_more(best, evidence, question, feats.asks):
            return "other", 0.4
        return best, 0.5
    return "other", 0.3


def _only_acknowledged(evidence: Evidence, rules: RuleSet, question: bool) -> bool:
    """Thanks said only by an "ok" that asks ("норм?") or stands beside more than a word."""
    thanked = evidence.covered.get("thanks", frozenset())
    acknowledged = rules.acknowledgement_words
    if not thanked or any(lemma(evidence.words[i]) not in acknowledged for i in thanked):
        return False
    if question:
        return True
    rest = _unexplained(evidence)
    return len(rest) > ACKNOWLEDGED_MAX_REST


def _coverage(evidence: Evidence) -> float:
    """The share of the message's words that some cue explains."""
    return len(_covered(evidence)) / len(evidence.words) if evidence.words else 0.0


def _covered(evidence: Evidence) -> set[int]:
    """The positions of the words some cue explains."""
    return set().union(*evidence.covered.values())


def _unexplained(evidence: Evidence) -> list[str]:
    """The words no cue explains, numbers aside."""
    covered = _covered(evidence)
    return [w for i, w in enumerate(evidence.words) if i not in covered and not w.isdigit()]


def _asks(plain: str, words: list[str], rules: RuleSet) -> bool:
    """A question, or a request word ("нужны шары к 15:00"), in a message of some substance."""
    if len(words) < MIN_ASKING_WORDS:
        return False
    return _is_question(plain, rules) or any(lemma(w) in rules.request_words for w in words)


def _is_question(plain: str, rules: RuleSet) -> bool:
    """A question mark, or a question word opening the message or one of its clauses."""
    if "?" in plain:
        return True
    return any(lemma(w) in rules.question_words for w in _CLAUSE_START.findall(plain))


def _asks_more(intent: str, evidence: Evidence, question: bool, asks: bool) -> bool:
    """A social phrase plus words no cue explains: a question or request the rules missed."""
    rest = _unexplained(evidence)
    if intent == "greeting":
        # An opener with nothing asked yet stays a greeting, however long ("добрый день, это
        # Ольга из офиса на Садовой"); one that asks or requests something is not.
        return asks and len(rest) >= 2
    if question:
        return len(rest) >= 2
    if intent != "thanks" or len(rest) <= THANKS_MAX_REST:
        return False
    # "ok" or "love" inside a long story is not a thank-you note, unless nothing else in it
    # points anywhere: a long word of praise with no question or request is still thanks
    alone = not asks and all(v == 0 for k, v in evidence.scores.items() if k != "thanks")
    return not alone or len(rest) > THANKS_MAX_PRAISE


def _wordless(text: str, feats: TextFeatures, rules: RuleSet) -> tuple[str, float]:
    """Emojis, links, digits or punctuation only."""
    advertised = feats.foreign_links - feats.product_links
    if advertised > 0:
        return "spam", 0.8 if advertised > 1 else 0.6  # a link drop
    if feats.product_links:
        return "other", 0.5  # a product the customer wants: "this one?"
    found = emojis(text)
    if found and all(_bare(e) in rules.approval_emojis for e in found):
        return "thanks", 0.85  # "❤️❤️❤️❤️❤️" from a happy customer is no spam
    if len(found) >= rules.spam_emojis and len({_bare(e) for e in found}) > 1:
        return "spam", 0.85  # one face over and over ("🤔🤔🤔🤔") is a mood, not an advert
    return "other", 0.5 if found or feats.number is not None else 0.4


def _displeased(text: str, rules: RuleSet) -> bool:
    """An eye-roll or an angry face: the thanks beside it is sarcasm."""
    return any(_bare(e) in rules.displeased_emojis for e in emojis(text))


def _bare(emoji: str) -> str:
    """An emoji without skin tone or presentation selectors ("👍🏻" is "👍")."""
    return "".join(c for c in emoji if c not in "\ufe0f\ufe0e" and not 0x1F3FB <= ord(c) <= 0x1F3FF)
