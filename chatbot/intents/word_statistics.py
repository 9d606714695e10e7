"""Word statistics of the labelled examples: which intent a message's words are typical of.

The nearest examples (examples.py) find a message that was written almost the same way; they
miss one whose words are each common in an intent's examples but never together in one. A
multinomial naive Bayes model over their lemmas weighs every word by how typical it is of each
intent across all examples. It needs many
examples of several intents to say anything: a shop's few examples of its own are for the
nearest-example vote, not for statistics.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

MIN_EXAMPLES = 200  # fewer, and the statistics of a word are its few examples' accidents
MIN_INTENTS = 2
SMOOTHING = 0.1  # additive smoothing of each intent's token counts
MIN_PROBABILITY = 0.95  # naive Bayes is overconfident: below, out-of-shop talk is misnamed


@dataclass(frozen=True)
class WordStatistics:
    """Per-intent log-probabilities of tokens, with the log-probability of an unseen token."""

    log_prior: dict[str, float]
    log_likelihood: dict[str, dict[str, float]]
    log_unseen: dict[str, float]
    vocabulary: frozenset[str]

    @classmethod
    def build(cls, bags: list[set[str]], labels: list[str]) -> WordStatistics | None:
        """The model of token bags and their labels, or None when there are too few to learn."""
        intents = sorted(set(labels))
        if len(bags) < MIN_EXAMPLES or len(intents) < MIN_INTENTS:
            return None
        counts: dict[str, Counter[str]] = {intent: Counter() for intent in intents}
        for bag, label in zip(bags, labels, strict=True):
            counts[label].update(bag)
        vocabulary = frozenset(token for bag in bags for token in bag)
        size = len(vocabulary)
        per_intent = Counter(labels)
        log_likelihood: dict[str, dict[str, float]] = {}
        log_unseen: dict[str, float] = {}
        for intent in intents:
            total = sum(counts[intent].values()) + SMOOTHING * size
            log_likelihood[intent] = {
                token: math.log((n + SMOOTHING) / total) for token, n in counts[intent].items()
            }
            log_unseen[intent] = math.log(SMOOTHING / total)
        log_prior = {intent: math.log(per_intent[intent] / len(labels)) for intent in intents}
        return cls(log_prior, log_likelihood, log_unseen, vocabulary)

    def posterior(self, tokens: set[str]) -> list[tuple[float, str]]:
        """(probability, intent) from the most likely down; empty when no token is known."""
        known = [t for t in tokens if t in self.vocabulary]
        if not known:
            return []
        scores = {}
        for intent, prior in self.log_prior.items():
            likelihood, unseen = self.log_likelihood[intent], self.log_unseen[intent]
            scores[intent] = prior + sum(likelihood.get(t, unseen) for t in known)
        top = max(scores.values())
        weights = {intent: math.exp(score - top) for intent, score in scores.items()}
        total = sum(weights.values())
        return sorted(((w / total, intent) for intent, w in weights.items()), reverse=True)

    def typical(self, tokens: set[str]) -> str | None:
        """The intent the tokens are clearly typical of, or None."""
        ranked = self.posterior(tokens)
        if not ranked or ranked[0][0] < MIN_PROBABILITY:
            return None
        return ranked[0][1]
