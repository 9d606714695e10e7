"""What a step did that the report counts and the state forgets: pure, from the step's result."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from chatbot.core.effects import (
    Alert,
    Close,
    Effect,
    ManagerDelivered,
    Reply,
    StageChanged,
    TimerDone,
)
from chatbot.core.state import DialogState
from chatbot.engine.flowset import FlowSet
from chatbot.engine.step import calendar_of
from chatbot.engine.worktime import WorkCalendar

RATING_VAR = "rating"  # the flows keep the customer's score here (flows/dialog.yaml)
RATING_STAGE = "rating"  # and ask for it in this stage


@dataclass(frozen=True, slots=True)
class ReportFact:
    """One row of dialog_facts: a kind, a name, and who or how much where it applies."""

    kind: str
    name: str = ""
    manager: str | None = None
    value: float | None = None


def report_facts(
    before: DialogState,
    after: DialogState,
    effects: Sequence[Effect],
    flows: FlowSet,
    now: datetime,
) -> list[ReportFact]:
    """The facts of one step, in effect order; a rating last."""
    calendar = calendar_of(flows)
    facts: list[ReportFact] = []
    fired: str | None = None  # the timer whose actions follow in the effects
    for effect in effects:
        if isinstance(effect, TimerDone):
            fired = effect.name
        elif isinstance(effect, Close):
            facts.append(ReportFact("closed", effect.reason))
        elif isinstance(effect, StageChanged):
            facts.append(ReportFact("stage", effect.to_stage))
        elif isinstance(effect, Reply):
            if fired is not None:
                facts.append(ReportFact(_timer_kind(flows, fired), fired))
                fired = None  # a timer's second reply is the same message's follow-on
            if effect.template is not None:
                # a template's name, whether the reply carries the name or a call naming it
                name = str(getattr(effect.template, "name", effect.template))
                facts.append(ReportFact("template", name))
        elif isinstance(effect, ManagerDelivered):
            facts.append(ReportFact("manager_message", manager=effect.manager))
        elif isinstance(effect, Alert) and _waited_too_long(before, flows, calendar, now):
            assert before.waiting_since is not None
            # named by when the wait began: the report counts a spell once, however many alerts
            facts.append(
                ReportFact("wait_breach", before.waiting_since.astimezone(UTC).isoformat())
            )
    score = after.vars.get(RATING_VAR, "")
    # A second order's rating may repeat the first one's score: leaving the stage tells it.
    answered = before.stage == RATING_STAGE and after.stage != RATING_STAGE
    if score and (score != before.vars.get(RATING_VAR) or answered):
        with suppress(ValueError):  # a flow stored something else under the name: no score
            facts.append(ReportFact("rating", value=float(score)))
    return facts


def _timer_kind(flows: FlowSet, timer: str) -> str:
    """Reminders are about an order and outlive a close; every other timed message nudges."""
    spec = flows.timers.get(timer)
    return "reminder" if spec is not None and spec.keep_after_close else "nudge"


def _waited_too_long(
    state: DialogState, flows: FlowSet, calendar: WorkCalendar, now: datetime
) -> bool:
    """A manager holds the dialog and the customer has waited the SLA's answer time."""
    if not state.paused or state.waiting_since is None:
        return False
    limit = flows.shop.sla.manager_answer
    return calendar.working_between(state.waiting_since, now) >= limit
