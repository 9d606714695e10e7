"""The rules classifier: cue words, phrases and patterns per intent, then a fixed priority.

Scoring: every cue found adds its weight to its intent (strong cues 1, weak cues 0.5).
Markers (a condition, a deal closed elsewhere, ...) suppress intents they contradict.
The highest-priority intent with a strong score wins with high confidence; weak evidence
alone gives a low confidence, so the LLM layer may take a second look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chatbot.core.intents import Classification
from chatbot.intents.normalize import emojis, features, links, normalize, tokens

STRONG = 1.0
WEAK = 0.5


@dataclass(frozen=True)
class CueSet:
    """Cues of one intent or marker, compiled for fast matching."""

    exact: Mapping[str, float] = field(default_factory=dict)
    prefixes: Mapping[str, float] = field(default_factory=dict)
    phrases: tuple[tuple[re.Pattern[str], float], ...] = ()

    def score(self, words: Iterable[str], text: str) -> float:
        """The summed weight of the cues found (each cue counted once)."""
        total = 0.0
        seen: set[str] = set()
        for word in words:
            weight = self.exact.get(word)
            if weight is not None and word not in seen:
                seen.add(word)
                total += weight
                continue
            for length in range(min(len(word), 12), 2, -1):
                stem = word[:length]
                weight = self.prefixes.get(stem)
                if weight is not None:
                    if stem not in seen:
                        seen.add(stem)
                        total += weight
                    break
        for pattern, weight in self.phrases:
            if pattern.search(text):
                total += weight
        return total


@dataclass(frozen=True)
class Marker:
    """A cue group that is not an intent: when found, it suppresses some intents."""

    name: str
    cues: CueSet
    suppresses: frozenset[str]


@dataclass(frozen=True)
class RuleSet:
    """Everything the rules classifier needs, compiled once."""

    intents: Mapping[str, CueSet]
    markers: tuple[Marker, ...]
    priority: tuple[str, ...]
    approval_emojis: frozenset[str] = frozenset()
    spam_emoji_flood: int = 6

    @property
    def intent_names(self) -> frozenset[str]:
        """Every intent the rules can return."""
        return frozenset(self.intents) | {"other"}


def classify(
    text: str, rules: RuleSet, *, allowed_domains: frozenset[str] = frozenset()
) -> Classification:
    """The intent of a message by the rules, with a confidence and its surface features."""
    feats = features(text, allowed_domains)
    plain = text
    for link in links(text):
        plain = plain.replace(link, " ")
    norm = normalize(plain)
    words = tokens(norm)
    padded = f" {' '.join(words)} "
    scores = {name: cues.score(words, padded) for name, cues in rules.intents.items()}
    for marker in rules.markers:
        if marker.cues.score(words, padded) >= STRONG:
            for name in marker.suppresses:
                scores[name] = 0.0
    if not words:
        return Classification(_wordless(text, feats.emojis, rules), 0.7, "rules", feats)
    if feats.emojis >= rules.spam_emoji_flood and len(words) <= 2:
        scores["spam"] = scores.get("spam", 0.0) + STRONG
    strong = [n for n in rules.priority if scores.get(n, 0.0) >= STRONG]
    if strong:
        best = strong[0]
        confidence = 0.9 if len(strong) == 1 or scores[best] >= 2 * STRONG else 0.75
        return Classification(best, confidence, "rules", feats)
    weak = [n for n in rules.priority if scores.get(n, 0.0) > 0]
    if weak:
        return Classification(weak[0], 0.55, "rules", feats)
    return Classification("other", 0.3, "rules", feats)


def _wordless(text: str, emoji_count: int, rules: RuleSet) -> str:
    """Emojis, digits or punctuation only: approval emojis are thanks, a flood is spam."""
    found = set(emojis(text))
    if emoji_count >= rules.spam_emoji_flood:
        return "spam"
    if found and found <= rules.approval_emojis:
        return "thanks"
    return "other"
