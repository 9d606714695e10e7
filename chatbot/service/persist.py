"""Writing a step's effects in the event's transaction: timers, tasks, outbox, responses."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from chatbot.core.effects import (
    Alert,
    CancelTimer,
    CreateTask,
    Effect,
    ManagerDelivered,
    ManagerResponse,
    Reply,
    SetTimer,
    SkippedReply,
    UpdateTasks,
)
from chatbot.core.outbox_messages import (
    MANAGERS,
    CardPost,
    CardRefresh,
    CustomerMessage,
    ManagerAlert,
    Relay,
)
from chatbot.db import outbox_rows, records, timers
from chatbot.db.dialogs import DialogRecord
from chatbot.db.outbox_rows import OutboxItem
from chatbot.service.crm_notices import crm_notice

log = logging.getLogger(__name__)


def persist_effects(
    conn: Connection,
    dialog: DialogRecord,
    version: int,
    effects: Sequence[Effect],
    now: datetime,
    crm_events: frozenset[str] = frozenset(),
) -> None:
    """Write every effect that outlives the step; keys make a replay idempotent."""
    final_timers: dict[str, SetTimer | None] = {}
    outbox: list[OutboxItem] = []
    for index, effect in enumerate(effects):
        key = f"{dialog.id}:{version}:{index}"
        task_id: int | None = None
        if isinstance(effect, SetTimer):
            final_timers[effect.name] = effect
        elif isinstance(effect, CancelTimer):
            final_timers[effect.name] = None
        elif isinstance(effect, Reply):
            # With `personalise` the sender may swap the text for an LLM rewrite within bounds.
            reply = CustomerMessage(
                effect.text,
                effect.key,
                None,
                effect.buttons,
                effect.template,
                effect.fallback,
                effect.personalise,
            )
            outbox.append(OutboxItem(key, dialog.channel, dialog.chat_id, reply))
        elif isinstance(effect, ManagerDelivered):
            written = CustomerMessage(
                effect.text, manager=effect.manager, copy_of=effect.attachment
            )
            outbox.append(OutboxItem(key, dialog.channel, dialog.chat_id, written))
        elif isinstance(effect, SkippedReply):
            # The row is the durable record a report counts: status skipped, the reason in error.
            log.info(
                "reply.skipped",
                extra={"dialog": dialog.id, "key": effect.key, "reason": effect.reason},
            )
            held = CustomerMessage(key=effect.key)
            outbox.append(
                OutboxItem(key, dialog.channel, dialog.chat_id, held, "skipped", effect.reason)
            )
        elif isinstance(effect, CreateTask):
            task_id = records.create_task(
                conn, dialog.id, effect.kind, effect.reason, now, effect.to
            )
            card = CardPost(
                task_id,
                effect.kind,
                effect.reason,
                dialog.id,
                dialog.channel,
                dialog.chat_id,
                effect.to,
            )
            outbox.append(OutboxItem.staff(key, MANAGERS, card))
        elif isinstance(effect, UpdateTasks):
            changed = records.unfinished_task_ids(conn, dialog.id)
            records.update_open_tasks(conn, dialog.id, effect.status, effect.manager, now)
            if changed:  # the cards of these tasks show their new status and buttons
                refresh = CardRefresh(tuple(changed), dialog.id)
                outbox.append(OutboxItem.staff(key, MANAGERS, refresh))
        elif isinstance(effect, Alert):
            alert = ManagerAlert(effect.kind, effect.reason, dialog.id)
            outbox.append(OutboxItem.staff(key, MANAGERS, alert))
        elif isinstance(effect, ManagerResponse):
            records.record_response(
                conn, dialog.id, effect.manager, effect.seconds, effect.breach, now
            )
        if crm_events and (notice := crm_notice(dialog, key, effect, now, crm_events, task_id)):
            outbox.append(notice)
    cancelled = [name for name, t in final_timers.items() if t is None]
    kept = [
        timers.TimerSpec(t.name, t.token, t.due, t.keep_after_close)
        for t in final_timers.values()
        if t is not None
    ]
    timers.cancel_timers(conn, dialog.id, cancelled)
    timers.set_timers(conn, dialog.id, kept)
    outbox_rows.enqueue(conn, dialog.id, outbox, now)


def relay_to_managers(
    conn: Connection, dialog: DialogRecord, version: int, text: str, now: datetime
) -> None:
    """A customer's message in a dialog a manager holds goes on to the managers' chat."""
    item = OutboxItem.staff(f"{dialog.id}:{version}:relay", MANAGERS, Relay(dialog.id, text))
    outbox_rows.enqueue(conn, dialog.id, [item], now)
