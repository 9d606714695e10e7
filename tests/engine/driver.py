"""A pure in-memory driver for engine tests: applies events and fires due timers by time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chatbot.core.effects import Effect, SetTimer
from chatbot.core.events import CustomerMessage, Event, TimerFired
from chatbot.core.intents import Classification, TextFeatures
from chatbot.core.state import DialogState, Facts
from chatbot.engine.flowset import FlowSet
from chatbot.engine.step import step


def said(intent: str, text: str = "", **features: int) -> CustomerMessage:
    """A customer message with a given classification (no classifier involved)."""
    number = features.pop("number", None)
    return CustomerMessage(
        text or intent,
        Classification(intent, 0.9, "rules", TextFeatures(number=number, **features)),
    )


def chose(option: str, intent: str = "other") -> CustomerMessage:
    """A customer pressing a menu button."""
    return CustomerMessage(option, Classification(intent, 1.0, "menu", option=option), option)


@dataclass
class Driver:
    """Holds one dialog's state and a virtual clock."""

    flows: FlowSet
    now: datetime
    state: DialogState = field(default_factory=DialogState)
    facts: Facts = field(default_factory=Facts)
    log: list[tuple[datetime, Effect]] = field(default_factory=list)

    def send(self, event: Event) -> list[Effect]:
        """Apply one event now."""
        result = step(self.state, event, self.flows, self.now, self.facts)
        self.state = result.state
        self.log.extend((self.now, e) for e in result.effects)
        return list(result.effects)

    def wait(self, delta: timedelta) -> list[Effect]:
        """Advance the clock, firing due timers in due order."""
        end = self.now + delta
        out: list[Effect] = []
        while True:
            due = sorted((t.due, name) for name, t in self.state.timers.items() if t.due <= end)
            if not due:
                break
            when, name = due[0]
            self.now = max(self.now, when)
            out += self.send(TimerFired(name, self.state.timers[name].token))
        self.now = end
        return out

    def of(self, kind: type[Effect]) -> list[Effect]:
        """Every effect of this type so far."""
        return [e for _, e in self.log if isinstance(e, kind)]

    def timer_due(self, name: str) -> datetime:
        """When the live timer `name` is due."""
        return self.state.timers[name].due

    def set_timers(self) -> list[SetTimer]:
        """Every SetTimer so far."""
        return [e for _, e in self.log if isinstance(e, SetTimer)]
