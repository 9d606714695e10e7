"""The pipeline: one transaction per event, serialized per dialog (DESIGN.md §2).

An event is computed (classified, stepped) on a snapshot of its dialog, then written in one
short transaction that also records the dedupe key. The write checks the dialog's version, so
a snapshot that went stale is recomputed; on PostgreSQL the row is locked first, which orders
events of one dialog across processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from chatbot.admin_files.snapshot import AdminFiles
from chatbot.core.clock import Clock
from chatbot.core.events import CustomerMessage, Event
from chatbot.core.intents import INTENTS, Classification
from chatbot.core.phones import normalize_phone
from chatbot.core.state import DialogState, Facts, evolve
from chatbot.core.trace import TraceEntry, trace_effect
from chatbot.db import dialogs, inbox
from chatbot.db.database import Database
from chatbot.db.dialogs import DialogRecord
from chatbot.db.facts import record_facts
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.engine.report_facts import ReportFact, report_facts
from chatbot.engine.step import StepResult, step
from chatbot.errors import StorageError
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.ports.llm import IntentLlm
from chatbot.service.dialog_cache import DialogCache
from chatbot.service.event_keys import Seen, record_key
from chatbot.service.locks import DialogLocks
from chatbot.service.media_relay import relay_media
from chatbot.service.message_classifier import MessageClassifier, reading_state
from chatbot.service.persist import persist_effects, relay_to_managers

log = logging.getLogger(__name__)
MAX_STALE_RETRIES = 5
NEW = -1  # the version of a dialog not in the database yet


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one event did: the trace, and whether it was a redelivery or a stale timer."""

    dialog_id: int
    trace: tuple[TraceEntry, ...]
    duplicate: bool = False
    stale: bool = False
    state: DialogState | None = None


@dataclass(frozen=True, slots=True)
class _Plan:
    """An event computed on a snapshot, ready to be written."""

    event: Event
    decision: inbox.Decision | None
    result: StepResult
    head: tuple[TraceEntry, ...]
    flows: FlowSet  # the version of the flows it was computed on


# What a write did: the snapshot it wrote on, the plan, the new state, the customer now.
_Applied = tuple[DialogRecord, _Plan, DialogState, int]


class _StaleSnapshot(Exception):
    """The dialog changed after its snapshot was taken."""


def _is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


class Pipeline:
    """Turns inbound events into state changes and effects, one transaction each."""

    def __init__(
        self,
        db: Database,
        flows: FlowSet,
        rules: RulesFn,
        clock: Clock,
        llm: IntentLlm | None = None,
        known_intents: frozenset[str] = frozenset(INTENTS),
        crm_events: frozenset[str] = frozenset(),
    ) -> None:
        self.db = db
        self.crm_events = crm_events  # which changes are announced to the CRM (none: off)
        # The admin files, swapped whole by a reload: an event reads this once and keeps it.
        self.files = AdminFiles.of(flows, rules, known_intents)
        self.clock = clock
        self.classifier = MessageClassifier(llm)
        self.locks = DialogLocks()
        self.cache = DialogCache()

    async def handle(self, inbound: Inbound) -> Outcome:
        """Process one event; a busy database is retried, nothing is half-written."""
        key = (inbound.channel, inbound.chat_id)
        async with self.locks.hold(key):
            for attempt in range(MAX_STALE_RETRIES):
                fresh = attempt > 0
                try:
                    outcome = await self._attempt(inbound, fresh)
                except OperationalError as exc:
                    if not _is_busy(exc):
                        raise
                    outcome = await self._attempt_while_busy(inbound, fresh)
                if outcome is not None:
                    return outcome
                self.cache.drop(key)
        raise StorageError(f"dialog {key} kept changing during {MAX_STALE_RETRIES} attempts")

    async def _attempt_while_busy(self, inbound: Inbound, fresh: bool) -> Outcome | None:
        """Retry an attempt that met a locked database, with backoff (rare, so kept apart)."""
        async for busy in AsyncRetrying(
            retry=retry_if_exception(_is_busy),
            stop=stop_after_attempt(5),
            wait=wait_exponential(multiplier=0.05, max=1),
            reraise=True,
        ):
            with busy:
                return await self._attempt(inbound, fresh)
        return None  # pragma: no cover - AsyncRetrying either returns or raises

    async def _attempt(self, inbound: Inbound, fresh: bool) -> Outcome | None:
        now = self.clock.now()
        key = (inbound.channel, inbound.chat_id)
        snap = None if fresh or not self.db.is_sqlite else self.cache.get(key)
        files = self.files  # one version of the admin files for the whole event
        if snap is None:
            snap = await self._load(inbound, files.flows)
        # Classification may wait for the LLM: it happens before, never inside, a transaction.
        decision = await self.classifier.classify(snap.state, inbound, files)
        plan = self._compute(snap, inbound, now, decision, files.flows)
        try:
            # Durable: the channel acknowledges the event once this returns.
            applied = await self.db.write_durably(self._apply, snap, inbound, plan, decision, now)
        except _StaleSnapshot:
            return None
        if isinstance(applied, Outcome):
            return applied
        snap, plan, new_state, customer_id = applied
        if customer_id != snap.customer_id:
            # Two customers became one: every snapshot of either knows the wrong "other dialogs".
            self.cache.drop_customer(snap.customer_id)
            self.cache.drop_customer(customer_id)
            self.cache.drop(key)
        else:
            name = inbound.customer.name or snap.customer_name
            phone = normalize_phone(inbound.customer.phone) or snap.phone
            self.cache.put(
                DialogRecord(
                    snap.id,
                    snap.customer_id,
                    snap.channel,
                    snap.chat_id,
                    new_state,
                    new_state.version,
                    name,
                    phone,
                    snap.other_last_inbound_at,
                )
            )
        if isinstance(plan.event, CustomerMessage):
            self.cache.note_inbound(customer_id, key, now)
        trace = [*plan.head]
        trace.extend(t for e in plan.result.effects if (t := trace_effect(now, e)) is not None)
        return Outcome(snap.id, tuple(trace), state=new_state)

    def _apply(
        self,
        conn: Connection,
        snap: DialogRecord,
        inbound: Inbound,
        plan: _Plan,
        decision: Classification | None,
        now: datetime,
    ) -> _Applied | Outcome:
        """The event's write transaction (runs on the writer); raises _StaleSnapshot."""
        if snap.version == NEW:
            # A first message: the dialog is created in the event's own transaction.
            created = dialogs.create_dialog(
                conn,
                inbound.channel,
                inbound.chat_id,
                inbound.customer,
                now,
                plan.flows.shop.default_lang,
            )
            if created is None:
                raise _StaleSnapshot  # another process created it meanwhile: reload
            if created.other_last_inbound_at is not None:  # a known customer
                plan = self._compute(created, inbound, now, decision, plan.flows)
            snap = created
        elif not self.db.is_sqlite and dialogs.lock_dialog(conn, snap.id) != snap.version:
            raise _StaleSnapshot
        duplicate = self._record(conn, snap, inbound, plan, now)
        if duplicate is not None:
            return duplicate
        new_state = evolve(plan.result.state, version=snap.version + 1)
        if not dialogs.save_state(conn, snap.id, new_state, snap.version, now):
            raise _StaleSnapshot
        persist_effects(conn, snap, new_state.version, plan.result.effects, now, self.crm_events)
        facts = report_facts(snap.state, new_state, plan.result.effects, plan.flows, now)
        if self.classifier.asked_llm(decision):
            facts.append(ReportFact("llm_fallback"))  # asked, and the rules' answer stood
        record_facts(conn, snap.id, facts, now)
        held = snap.state.paused and new_state.paused  # a manager leads the dialog
        media = inbound.payload.media if isinstance(inbound.payload, IncomingText) else None
        # A photo or file itself goes to the managers (with its caption), not only its marker.
        relayed = media is not None and relay_media(conn, snap, new_state, media, now)
        if isinstance(plan.event, CustomerMessage) and held and not relayed:
            relay_to_managers(conn, snap, new_state.version, plan.event.text, now)
        customer_id = snap.customer_id
        if _news_about(snap, inbound):
            customer_id = dialogs.learn_customer(conn, snap.customer_id, inbound.customer)
        return snap, plan, new_state, customer_id

    async def _load(self, inbound: Inbound, flows: FlowSet) -> DialogRecord:
        """The dialog's snapshot, or a provisional one (version NEW) for a new dialog."""
        found = await self.db.read(dialogs.load_dialog, inbound.channel, inbound.chat_id)
        if found is not None:
            return found
        info = inbound.customer
        state = DialogState(channel=inbound.channel, lang=info.lang or flows.shop.default_lang)
        return DialogRecord(
            0, 0, inbound.channel, inbound.chat_id, state, NEW, info.name, info.phone, None
        )

    def _compute(
        self,
        snap: DialogRecord,
        inbound: Inbound,
        now: datetime,
        c: Classification | None,
        flows: FlowSet,
    ) -> _Plan:
        """Step on the snapshot with the message's classification: pure, no IO."""
        state = reading_state(snap.state, inbound)
        payload = inbound.payload
        head: list[TraceEntry] = []
        decision = None
        event: Event
        if isinstance(payload, IncomingText):
            assert c is not None
            head.append(
                TraceEntry(now, "inbound", {"text": payload.text, "channel": inbound.channel})
            )
            decision = inbox.Decision(c.intent, c.source, round(c.confidence, 3))
            head.append(
                TraceEntry(
                    now,
                    "intent",
                    {"intent": c.intent, "source": c.source, "confidence": decision.confidence},
                )
            )
            event = CustomerMessage(payload.text, c, payload.button)
        else:
            event = payload
        facts = Facts(
            customer_name=inbound.customer.name or snap.customer_name,
            other_dialogs_last_inbound_at=snap.other_last_inbound_at,
        )
        result = step(state, event, flows, now, facts)
        return _Plan(event, decision, result, tuple(head), flows)

    def _record(
        self, conn: Connection, snap: DialogRecord, inbound: Inbound, plan: _Plan, now: datetime
    ) -> Outcome | None:
        """Record the event's dedupe key; an Outcome when it must not be applied."""
        seen = record_key(conn, snap.id, inbound, plan.event, plan.decision, now)
        if seen is Seen.STALE:
            return Outcome(snap.id, (), stale=True)
        if seen is Seen.DUPLICATE:
            entry = TraceEntry(now, "duplicate", {"id": inbound.external_id})
            return Outcome(snap.id, (entry,), duplicate=True)
        return None


def _news_about(snap: DialogRecord, inbound: Inbound) -> bool:
    """Whether the channel told us a phone or name we did not have."""
    info = inbound.customer
    phone = normalize_phone(info.phone)
    return bool((phone and phone != snap.phone) or (info.name and info.name != snap.customer_name))
