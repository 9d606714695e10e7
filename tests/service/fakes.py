"""Test doubles of our own ports: a keyword rules function."""

from __future__ import annotations

from chatbot.core.intents import Classification, TextFeatures

KEYWORDS = {
    "подумаю": "thinking",
    "спасибо": "thanks",
    "здравствуйте": "greeting",
    "сколько": "ask_price",
    "менеджер": "human",
    "дорого": "price_objection",
}


def keyword_rules(text: str) -> Classification:
    """A tiny stand-in for the rules classifier: the first keyword found decides."""
    lowered = text.lower()
    number = int(lowered) if lowered.strip().isdigit() else None
    features = TextFeatures(number=number, words=len(lowered.split()))
    for word, intent in KEYWORDS.items():
        if word in lowered:
            return Classification(intent, 0.9, "rules", features)
    return Classification("other", 0.3, "rules", features)
