"""The decision policy: rules first, the LLM only when the rules are unsure."""

from __future__ import annotations

from dataclasses import replace

from chatbot.core.intents import Classification

LOW_CONFIDENCE = 0.6  # the rules module documents the same threshold for its confidences
LLM_CONFIDENCE = 0.8  # models give no calibrated confidence; a fixed value keeps traces stable


def needs_llm(decision: Classification, threshold: float = LOW_CONFIDENCE) -> bool:
    """True when the rules are unsure (low confidence or `other`); never for a menu choice."""
    if decision.source in ("menu", "llm"):
        return False
    return decision.confidence < threshold or decision.intent == "other"


def combine(rules: Classification, llm_intent: str | None) -> Classification:
    """The LLM's intent when it gave one (keeping the rules' text features), else the rules'."""
    if llm_intent is None:
        return rules
    return replace(rules, intent=llm_intent, confidence=LLM_CONFIDENCE, source="llm")
