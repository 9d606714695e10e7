"""Customers' classified messages for a shop to relabel by hand: text, label, lang, source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from chatbot.core.intents import Classification
from chatbot.db.tables import DialogRow, MessageRow
from chatbot.intents.policy import needs_llm


@dataclass(frozen=True, slots=True)
class ClassifiedMessage:
    """A customer's message as the bot read it; nothing that names the customer or the chat."""

    text: str
    label: str
    lang: str
    source: str
    confidence: float

    @property
    def uncertain(self) -> bool:
        """The LLM decided it, or the rules were unsure enough that the bot would ask the LLM."""
        if self.source == "llm":
            return True
        return needs_llm(Classification(self.label, self.confidence, "rules"))

    def to_json(self) -> dict[str, Any]:
        """The JSON Lines object `chatbot eval-intents` reads (it ignores the extra keys)."""
        return {
            "text": self.text,
            "label": self.label,
            "lang": self.lang,
            "source": self.source,
            "confidence": self.confidence,
        }


def classified_messages(
    conn: Connection, since: datetime | None = None, until: datetime | None = None
) -> list[ClassifiedMessage]:
    """Customers' classified texts in [since, until), oldest first, each text once, no menu."""
    query = (
        select(
            MessageRow.text,
            MessageRow.intent,
            MessageRow.source,
            MessageRow.confidence,
            DialogRow.lang,
        )
        .join(DialogRow, DialogRow.id == MessageRow.dialog_id)
        .where(
            MessageRow.direction == "in",
            # managers' texts and actions are stored inbound too, under the manager's name
            MessageRow.author == "customer",
            MessageRow.intent.is_not(None),
            # A menu choice's label is the open menu's, not a reading of the text: neither the
            # rules nor eval-intents could be scored on it.
            MessageRow.source != "menu",
            MessageRow.text != "",
        )
        .order_by(MessageRow.created_at, MessageRow.id)
    )
    if since is not None:
        query = query.where(MessageRow.created_at >= since)
    if until is not None:
        query = query.where(MessageRow.created_at < until)
    seen: set[str] = set()
    out = []
    # A text counts once whatever its case and surrounding spaces, with its first label; done
    # here, not in SQL, as SQLite's lower() folds ASCII only, not "Спасибо".
    for text, intent, source, confidence, lang in conn.execute(query):
        key = str(text).strip().casefold()
        if not key or key in seen:
            continue
        seen.add(key)
        sure = float(confidence) if confidence is not None else 0.0
        out.append(ClassifiedMessage(str(text), str(intent), str(lang), str(source), sure))
    return out


def uncertain_first(messages: list[ClassifiedMessage]) -> list[ClassifiedMessage]:
    """The uncertain messages, lowest confidence first, then the rest in their order."""
    unsure = sorted((m for m in messages if m.uncertain), key=lambda m: m.confidence)
    return unsure + [m for m in messages if not m.uncertain]
