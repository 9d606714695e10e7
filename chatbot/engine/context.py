"""What a handler's condition can look at while one event is processed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chatbot.core.intents import Classification
from chatbot.core.state import Facts
from chatbot.engine.flowset import FlowSet
from chatbot.engine.worktime import WorkCalendar


@dataclass(frozen=True, slots=True)
class Context:
    """The event's facts that conditions test (classification, close reason, time)."""

    flows: FlowSet
    calendar: WorkCalendar
    now: datetime
    facts: Facts
    classification: Classification | None = None
    close_reason: str | None = None
    manager: str | None = None
    proactive: bool = True
    text: str = ""  # the customer's message, when the event is one

    def with_reason(self, reason: str) -> Context:
        """The same context while on_close handlers run."""
        return replace(self, close_reason=reason)


def once_key(key: str) -> str:
    """The dialog variable remembering when a once_per handler last ran."""
    return f"_once_at.{key}"
