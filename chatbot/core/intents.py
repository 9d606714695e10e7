"""Intent names and the classifier's decision value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

INTENTS: Final[tuple[str, ...]] = (
    "greeting",
    "thinking",
    "need_time",
    "thanks",
    "agree",
    "refuse",
    "price_objection",
    "ask_price",
    "ask_delivery",
    "ask_payment",
    "order_status",
    "human",
    "complaint",
    "spam",
    "other",
    "unsubscribe",
)
"""The intents that always exist (DESIGN.md §3.1)."""

BUYING_INTENTS: Final = frozenset(
    {"agree", "ask_price", "ask_delivery", "ask_payment", "order_status", "price_objection"}
)
"""Intents that show a wish to buy: never spam, and evidence against a spam verdict."""

Source = Literal["rules", "llm", "menu", "default"]


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """Surface features of a message that flows may test (emoji and link counts)."""

    emojis: int = 0
    links: int = 0
    foreign_links: int = 0
    number: int | None = None
    words: int = 0
    # links to the shop's own site or a marketplace/social page of a product ("хочу такие")
    product_links: int = 0
    # a question or a request ("есть ли ...?", "нужны шары к 15:00"), not just small talk
    asks: bool = False


@dataclass(frozen=True, slots=True)
class Classification:
    """What the customer wants, how sure we are and who decided."""

    intent: str
    confidence: float
    source: Source
    features: TextFeatures = field(default_factory=TextFeatures)
    option: str | None = None
