"""Scoring a classifier against labelled messages: accuracy, macro-F1, per intent, confusions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IntentScore:
    """Precision, recall, F1 and support (gold count) of one intent."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    """The figures of one evaluation."""

    n: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, IntentScore]
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)  # positions of the misclassified pairs

    @property
    def macro_f1_gold(self) -> float:
        """Macro-F1 over the intents the set has (a set written before an intent existed)."""
        present = [s.f1 for s in self.per_intent.values() if s.support]
        return sum(present) / len(present) if present else 0.0

    def to_json(self) -> dict[str, Any]:
        """The JSON form printed by `eval-intents --json`."""
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "macro_f1_gold": round(self.macro_f1_gold, 4),
            "per_intent": {name: score_json(s) for name, s in self.per_intent.items()},
            "confusions": [{"gold": g, "predicted": p, "count": c} for g, p, c in self.confusions],
        }


def score_json(score: IntentScore) -> dict[str, Any]:
    """The JSON form of one intent's score."""
    return {
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "support": score.support,
    }


def evaluate(pairs: Iterable[tuple[str, str]], top_confusions: int = 10) -> Report:
    """Score (gold, predicted) pairs.

    Macro-F1 averages over every intent that occurs as gold or as prediction, so a label the
    classifier invents where none is expected lowers the score (an intent never seen in either
    is left out, so a file with few labels is not punished for the labels it lacks).
    """
    gold_counts: Counter[str] = Counter()
    predicted_counts: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    n = 0
    errors: list[int] = []
    for gold, predicted in pairs:
        n += 1
        gold_counts[gold] += 1
        predicted_counts[predicted] += 1
        if gold == predicted:
            hits[gold] += 1
        else:
            confusion[(gold, predicted)] += 1
            errors.append(n - 1)
    per_intent: dict[str, IntentScore] = {}
    for name in sorted(set(gold_counts) | set(predicted_counts)):
        p = hits[name] / predicted_counts[name] if predicted_counts[name] else 0.0
        r = hits[name] / gold_counts[name] if gold_counts[name] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_intent[name] = IntentScore(p, r, f1, gold_counts[name])
    macro = sum(s.f1 for s in per_intent.values()) / len(per_intent) if per_intent else 0.0
    accuracy = sum(hits.values()) / n if n else 0.0
    confusions = [(g, p, c) for (g, p), c in confusion.most_common(top_confusions)]
    return Report(n, accuracy, macro, per_intent, confusions, errors)
