"""The pipeline: one transaction per event, serialized per dialog (DESIGN.md §2)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from chatbot.core.clock import Clock
from chatbot.core.events import CrmEvent, CustomerMessage, Event, ManagerMessage, TimerFired
from chatbot.core.state import DialogState, Facts
from chatbot.db import dialogs, inbox, timers
from chatbot.db.database import Database
from chatbot.engine.flowset import FlowSet
from chatbot.engine.step import step
from chatbot.intents.decision import RulesFn, decide
from chatbot.service.envelope import Inbound, IncomingText
from chatbot.service.locks import DialogLocks
from chatbot.service.persist import persist_effects
from chatbot.service.trace import TraceEntry, trace_effect

log = logging.getLogger(__name__)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one event did: the trace, and whether it was a redelivery or a stale timer."""

    dialog_id: int
    trace: tuple[TraceEntry, ...]
    duplicate: bool = False
    stale: bool = False
    state: DialogState | None = None


def _is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


class Pipeline:
    """Turns inbound events into state changes and effects, one transaction each."""

    def __init__(self, db: Database, flows: FlowSet, rules: RulesFn, clock: Clock) -> None:
        self.db = db
        self.flows = flows
        self.rules = rules
        self.clock = clock
        self.locks = DialogLocks()

    async def handle(self, inbound: Inbound) -> Outcome:
        """Process one event; a busy database is retried, nothing is half-written."""
        async with self.locks.hold((inbound.channel, inbound.chat_id)):
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_is_busy),
                stop=stop_after_attempt(5),
                wait=wait_exponential(multiplier=0.05, max=1),
                reraise=True,
            ):
                with attempt:
                    async with self.db.transaction() as session:
                        return await self._handle(session, inbound, self.clock.now())
        raise AssertionError("unreachable")  # pragma: no cover

    async def _handle(self, session: AsyncSession, inbound: Inbound, now: datetime) -> Outcome:
        flows = self.flows
        dialog = await dialogs.lock_dialog(
            session, inbound.channel, inbound.chat_id, inbound.customer, now,
            flows.shop.default_lang,
        )  # fmt: skip
        trace: list[TraceEntry] = []
        payload = inbound.payload
        state = dialog.state
        event: Event
        if isinstance(payload, IncomingText):
            message_id = await inbox.record_inbound(
                session, dialog.id, inbound.channel, inbound.external_id, payload.text, now
            )
            if message_id is None:
                log.info("pipeline.duplicate", extra={"dialog": dialog.id})
                entry = TraceEntry(now, "duplicate", {"id": inbound.external_id})
                return Outcome(dialog.id, (entry,), duplicate=True)
            fields = {"text": payload.text, "channel": inbound.channel}
            trace.append(TraceEntry(now, "inbound", fields))
            if state.inbound_count == 0 and inbound.customer.lang is None:
                state = replace(state, lang=_guess_lang(payload.text, state.lang))
            decision = decide(payload.text, payload.button, state, flows, self.rules)
            await inbox.set_classification(
                session, message_id, decision.intent, decision.source, decision.confidence
            )
            decided = {
                "intent": decision.intent,
                "source": decision.source,
                "confidence": round(decision.confidence, 3),
            }
            trace.append(TraceEntry(now, "intent", decided))
            event = CustomerMessage(payload.text, decision, payload.button)
        else:
            event = payload
            duplicate = await self._dedupe_event(session, dialog, inbound, event, now)
            if duplicate is not None:
                return duplicate
        facts = Facts(
            customer_name=dialog.customer_name,
            other_dialogs_last_inbound_at=await dialogs.last_inbound_elsewhere(
                session, dialog.customer_id, dialog.id
            ),
        )
        result = step(state, event, flows, now, facts)
        new_state = replace(result.state, version=state.version + 1)
        await persist_effects(session, dialog, new_state.version, result.effects, now)
        await dialogs.save_state(session, dialog.id, new_state, now)
        trace.extend(t for e in result.effects if (t := trace_effect(now, e)) is not None)
        return Outcome(dialog.id, tuple(trace), state=new_state)

    async def _dedupe_event(
        self,
        session: AsyncSession,
        dialog: dialogs.DialogRecord,
        inbound: Inbound,
        event: Event,
        now: datetime,
    ) -> Outcome | None:
        """An Outcome when the event must not be applied (seen before, or a stale timer)."""
        if isinstance(event, TimerFired):
            if not await timers.consume_timer(session, dialog.id, event.name, event.token):
                return Outcome(dialog.id, (), stale=True)
        elif isinstance(event, CrmEvent):
            fresh = await inbox.record_crm_event(
                session, dialog.id, inbound.external_id, event.type, dict(event.data), now
            )
            if not fresh:
                entry = TraceEntry(now, "duplicate", {"id": inbound.external_id})
                return Outcome(dialog.id, (entry,), duplicate=True)
        elif isinstance(event, ManagerMessage) and inbound.external_id is not None:
            fresh_id = await inbox.record_inbound(
                session, dialog.id, f"{inbound.channel}:manager", inbound.external_id,
                event.text, now,
            )  # fmt: skip
            if fresh_id is None:
                entry = TraceEntry(now, "duplicate", {"id": inbound.external_id})
                return Outcome(dialog.id, (entry,), duplicate=True)
        return None


def _guess_lang(text: str, default: str) -> str:
    """English when the first message has Latin words and no Cyrillic at all."""
    if not _CYRILLIC.search(text) and len(_LATIN_WORD.findall(text)) >= 2:
        return "en"
    return default
