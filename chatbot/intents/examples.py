"""Labelled example messages: the nearest ones name an intent the cue lists missed.

A shop's own messages, exported with `chatbot export-messages` and corrected, go to
flows/intents/examples/*.jsonl (one {"text", "label"} object a line). When no cue explains a
message, its nearest examples (lemmas and word pairs, weighted by rarity, cosine similarity)
may name its intent. They never close a dialog on their own: a verdict that closes or
silences (thanks, spam, thinking, refuse, unsubscribe), or only wraps a conversation
(greeting, need_time), stays with the cues, the LLM or a manager.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter

from chatbot.intents.lemmas import lemma
from chatbot.intents.normalize import normalize, split_words, without_links
from chatbot.intents.word_statistics import WordStatistics

NEIGHBOURS = 5
MIN_SIMILARITY = 0.42  # below, the nearest example shares little more than a common word
MIN_AGREEMENT = 0.6  # the share of the neighbours' similarity that votes for the winner
COMMON = 0.03  # a token in more of the examples than this share says little (and costs time)
COMMON_FLOOR = 20  # ... but a few examples of a shop's own never lose their shared words
# Verdicts that close a dialog, flag a customer or stop the bot's messages need a cue, and so
# do the social ones: "добрый день, подскажите ..." resembles greetings yet asks for something
NOT_BY_EXAMPLE = frozenset(
    {"thanks", "spam", "thinking", "refuse", "unsubscribe", "greeting", "need_time", "other"}
)


@dataclass(frozen=True)
class Nearest:
    """The intent the nearest examples vote for, with the best similarity and the vote share."""

    intent: str
    similarity: float
    agreement: float


@dataclass(frozen=True)
class ExampleIndex:
    """An inverted index of weighted tokens over the examples."""

    labels: tuple[str, ...]
    postings: dict[str, tuple[tuple[int, float], ...]]
    idf: dict[str, float]
    statistics: WordStatistics | None = None

    @staticmethod
    def of(examples: list[tuple[str, str]]) -> ExampleIndex:
        """The index of (text, label) pairs, built once for the same pairs (a reload, a test)."""
        return _built(tuple(examples))

    @classmethod
    def build(cls, examples: list[tuple[str, str]]) -> ExampleIndex:
        """The index of (text, label) pairs."""
        bags = [set(example_tokens(text)) for text, _ in examples]
        counts = Counter(token for bag in bags for token in bag)
        n = len(bags)
        limit = max(COMMON_FLOOR, COMMON * n)
        idf = {t: math.log((n + 1) / c) for t, c in counts.items() if c <= limit}
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, bag in enumerate(bags):
            weights = {t: idf[t] for t in bag if t in idf}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for token, weight in weights.items():
                postings.setdefault(token, []).append((i, weight / norm))
        return cls(
            labels=tuple(label for _, label in examples),
            postings={t: tuple(p) for t, p in postings.items()},
            idf=idf,
            # lemmas alone: a pair repeats its two words' evidence, and naive Bayes would
            # count it twice ("хотела уточнить" is no order-status question)
            statistics=WordStatistics.build(
                [{t for t in bag if " " not in t} for bag in bags], [label for _, label in examples]
            ),
        )

    def nearest(self, text: str) -> Nearest | None:
        """The intent of the most similar examples, or None when none is similar."""
        weights = {t: self.idf[t] for t in set(example_tokens(text)) if t in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return None
        similarity: dict[int, float] = {}
        for token, weight in weights.items():
            for doc, doc_weight in self.postings[token]:
                similarity[doc] = similarity.get(doc, 0.0) + weight / norm * doc_weight
        top = heapq.nlargest(NEIGHBOURS, similarity.items(), key=itemgetter(1))
        if not top or top[0][1] < MIN_SIMILARITY:
            return None
        votes: dict[str, float] = {}
        for doc, score in top:
            votes[self.labels[doc]] = votes.get(self.labels[doc], 0.0) + score
        intent, score = max(votes.items(), key=itemgetter(1))
        return Nearest(intent, round(top[0][1], 3), round(score / sum(votes.values()), 3))

    def decide(self, text: str, *, statistics: bool = False) -> str | None:
        """An intent the examples name clearly enough to act on, or None.

        The nearest examples speak first; with `statistics`, when no example is near, the
        words' statistics over all examples may name it. Near examples that disagree leave it
        open: the statistics would only average the same disagreement into a confident verdict.
        """
        found = self.nearest(text)
        if found is not None:
            named = found.intent if found.agreement >= MIN_AGREEMENT else None
        elif statistics and self.statistics is not None:
            named = self.statistics.typical(set(example_words(text)))
        else:
            named = None
        return None if named is None or named in NOT_BY_EXAMPLE else named


@lru_cache(maxsize=4)  # the index is frozen: loads of the same examples may share it
def _built(examples: tuple[tuple[str, str], ...]) -> ExampleIndex:
    return ExampleIndex.build(list(examples))


def example_words(text: str) -> list[str]:
    """Lemmas of the words, digits aside."""
    return [lemma(w) for w in split_words(normalize(without_links(text))) if not w.isdigit()]


def example_tokens(text: str) -> list[str]:
    """Lemmas of the words (digits aside) and the pairs of neighbouring lemmas."""
    words = example_words(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]
