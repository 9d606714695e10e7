"""Running a conversation script through the real pipeline on a throw-away SQLite database."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.core.clock import VirtualClock
from chatbot.core.events import (
    Blocked,
    CrmEvent,
    Event,
    ManagerAction,
    ManagerMessage,
    SpamCleared,
    Unblocked,
)
from chatbot.core.intents import INTENTS
from chatbot.core.trace import TraceEntry
from chatbot.db import reports
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from chatbot.ports.llm import IntentLlm
from chatbot.service.pipeline import Pipeline
from chatbot.service.scheduler import Scheduler, advance_clock
from chatbot.service.script import NOT_SPAM, Script, Step

CHAT_ID = "sim-1"


@dataclass
class Simulation:
    """A script run in progress: the virtual clock, the pipeline and the trace so far."""

    script: Script
    pipeline: Pipeline
    scheduler: Scheduler
    clock: VirtualClock
    trace: list[TraceEntry]
    auto_id: int = 0
    chat_id: str = CHAT_ID
    # In a kept database, ids a script gives are scoped to its dialog: two scripts that both
    # say `id: m-5` are two messages there, not one redelivery.
    id_scope: str = ""

    async def run_step(self, step: Step) -> None:
        """Apply one script step."""
        if step.kind == "wait":
            await self.wait(step.value)
            return
        await self.send(self._inbound(step))

    async def send(self, inbound: Inbound) -> None:
        """Hand one event to the pipeline and keep its trace."""
        outcome = await self.pipeline.handle(inbound)
        self.trace.extend(outcome.trace)

    async def wait(self, delta: timedelta) -> None:
        """Advance the clock by `delta`, firing due timers in due order."""
        for outcome in await advance_clock(self.clock, self.scheduler, delta):
            self.trace.extend(outcome.trace)

    def _inbound(self, step: Step) -> Inbound:
        s = self.script
        customer = CustomerInfo(
            name=s.customer.get("name", ""),
            phone=s.customer.get("phone"),
            lang=s.customer.get("lang"),
        )
        base = Inbound(s.channel, self.chat_id, IncomingText(""), None, customer)
        if step.kind in ("say", "press"):
            if step.kind == "say":
                text, given_id = step.value["text"], step.value["id"]
                payload = IncomingText(text)
            else:
                text, given_id = step.value, None
                payload = IncomingText(text, button=text)
            return _with(base, payload, self._scoped(given_id) or self._next_id())
        if step.kind == "event":
            data = {k: str(v) for k, v in step.value.items() if k not in ("type", "id")}
            event_id = step.value.get("id")
            return _with(
                base,
                CrmEvent(step.value["type"], data),
                None if event_id is None else self._scoped(str(event_id)),
            )
        if step.kind == "manager" and isinstance(step.value, dict):  # a named manager writes
            return _with(base, ManagerMessage(step.value["text"], step.value["by"]), None)
        if step.kind == "manager":
            return _with(base, ManagerMessage(step.value), None)
        if step.kind == "manager_action" and step.value == NOT_SPAM:
            return _with(base, SpamCleared(), None)
        if step.kind == "manager_action":
            return _with(base, ManagerAction(step.value), None)
        return _with(base, Blocked() if step.value else Unblocked(), None)

    def _next_id(self) -> str:
        self.auto_id += 1
        return f"{self.id_scope}auto-{self.auto_id}"

    def _scoped(self, given: str | None) -> str | None:
        return None if given is None else f"{self.id_scope}{given}"


def _with(base: Inbound, payload: IncomingText | Event, external_id: str | None) -> Inbound:
    return Inbound(base.channel, base.chat_id, payload, external_id, base.customer)


def default_start(flows: FlowSet, today: date) -> datetime:
    """Next Monday 11:00 in the shop's time zone (today, if today is Monday)."""
    monday = today + timedelta(days=(7 - today.weekday()) % 7)
    return datetime.combine(monday, time(11, 0), tzinfo=ZoneInfo(flows.shop.timezone))


@dataclass(frozen=True)
class SimulationReport:
    """What the run left in the database, beyond the trace: tasks and SLA breaches."""

    tasks: dict[str, int]
    breaches: dict[str, int]
    skipped: int


async def simulate(
    script: Script,
    flows: FlowSet,
    rules: RulesFn,
    today: date,
    llm: IntentLlm | None = None,
    known_intents: frozenset[str] = frozenset(INTENTS),
) -> list[TraceEntry]:
    """Run a script on a fresh temporary SQLite database and return its trace."""
    trace, _ = await simulate_with_report(script, flows, rules, today, llm, known_intents)
    return trace


async def simulate_with_report(
    script: Script,
    flows: FlowSet,
    rules: RulesFn,
    today: date,
    llm: IntentLlm | None = None,
    known_intents: frozenset[str] = frozenset(INTENTS),
) -> tuple[list[TraceEntry], SimulationReport]:
    """Run a script on a fresh temporary SQLite database; its trace and a report.

    With `llm` the pipeline asks it when the rules are unsure, as the running bot does; the
    model works in real time while the script's clock is virtual.
    """
    with tempfile.TemporaryDirectory(prefix="chatbot-sim-") as folder:
        # A throw-away database: nothing to keep through a power cut, so no wait for the disk.
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'sim.db'}", synchronous="normal")
        try:
            await upgrade(db)
            clock = VirtualClock(script.start or default_start(flows, today))
            pipeline = Pipeline(db, flows, rules, clock, llm, known_intents)
            sim = Simulation(script, pipeline, Scheduler(pipeline), clock, [])
            for step in script.steps:
                await sim.run_step(step)
            return sim.trace, await _report(db)
        finally:
            await db.dispose()


async def simulate_into(
    db: Database,
    script: Script,
    flows: FlowSet,
    rules: RulesFn,
    today: date,
    chat_id: str,
    llm: IntentLlm | None = None,
    known_intents: frozenset[str] = frozenset(INTENTS),
) -> list[TraceEntry]:
    """Run a script as dialog `chat_id` in a migrated database that keeps it (for reports)."""
    clock = VirtualClock(script.start or default_start(flows, today))
    pipeline = Pipeline(db, flows, rules, clock, llm, known_intents)
    # Each script keeps its own clock: only its own dialog's timers fire on its waits.
    scheduler = Scheduler(pipeline, only=(script.channel, chat_id))
    sim = Simulation(
        script, pipeline, scheduler, clock, [], chat_id=chat_id, id_scope=f"{chat_id}:"
    )
    for step in script.steps:
        await sim.run_step(step)
    return sim.trace


async def _report(db: Database) -> SimulationReport:
    async with db.transaction() as session:
        counts = await reports.counts(session)
    return SimulationReport(counts.tasks, counts.breaches, counts.skipped)
