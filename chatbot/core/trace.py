"""The trace of what happened, in the documented types of DESIGN.md §3.2."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatbot.core.effects import (
    Alert,
    BotResumed,
    CancelTimer,
    Close,
    CreateTask,
    Effect,
    Flag,
    Handoff,
    ManagerDelivered,
    Reopen,
    Reply,
    SetTimer,
    SkippedReply,
    StageChanged,
    TimerDone,
    Unflag,
)

TRACE_TYPES = (
    "inbound",
    "duplicate",
    "intent",
    "reply",
    "stage",
    "timer_set",
    "timer_cancelled",
    "timer_fired",
    "task",
    "alert",
    "handoff",
    "bot_resumed",
    "manager",
    "closed",
    "reopened",
    "flag",
    "unflag",
    "skipped",
)


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One line of the trace: when, what type, and the type's fields."""

    at: datetime
    type: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self, tz: Any = None) -> dict[str, Any]:
        """The JSON object of one trace line, `at` in ISO 8601 (shop time zone if given)."""
        at = self.at.astimezone(tz) if tz is not None else self.at
        out: dict[str, Any] = {"at": at.isoformat(), "type": self.type}
        for key, value in self.fields.items():
            if isinstance(value, datetime):
                value = (value.astimezone(tz) if tz is not None else value).isoformat()
            out[key] = value
        return out


def trace_effect(at: datetime, effect: Effect) -> TraceEntry | None:
    """The trace line of an effect, or None for effects that are not traced."""
    if isinstance(effect, Reply):
        labels = [b.label for b in effect.buttons]
        template = effect.template.name if effect.template is not None else None
        fields = {"text": effect.text, "buttons": labels, "template": template}
        return TraceEntry(at, "reply", fields)
    if isinstance(effect, StageChanged):
        return TraceEntry(at, "stage", {"from": effect.from_stage, "to": effect.to_stage})
    if isinstance(effect, SetTimer):
        return TraceEntry(at, "timer_set", {"name": effect.name, "due": effect.due})
    if isinstance(effect, CancelTimer):
        return TraceEntry(at, "timer_cancelled", {"name": effect.name})
    if isinstance(effect, TimerDone):
        return TraceEntry(at, "timer_fired", {"name": effect.name})
    if isinstance(effect, CreateTask):
        return TraceEntry(at, "task", {"kind": effect.kind, "reason": effect.reason})
    if isinstance(effect, Alert):
        return TraceEntry(at, "alert", {"kind": effect.kind, "reason": effect.reason})
    if isinstance(effect, Handoff):
        return TraceEntry(at, "handoff")
    if isinstance(effect, BotResumed):
        return TraceEntry(at, "bot_resumed")
    if isinstance(effect, ManagerDelivered):
        return TraceEntry(at, "manager", {"text": effect.text})
    if isinstance(effect, Close):
        return TraceEntry(at, "closed", {"reason": effect.reason})
    if isinstance(effect, Reopen):
        return TraceEntry(at, "reopened")
    if isinstance(effect, Flag):
        return TraceEntry(at, "flag", {"flag": effect.flag})
    if isinstance(effect, SkippedReply):
        return TraceEntry(at, "skipped", {"text": effect.key, "reason": effect.reason})
    if isinstance(effect, Unflag):
        return TraceEntry(at, "unflag", {"flag": effect.flag})
    return None
