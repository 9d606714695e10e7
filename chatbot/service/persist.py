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
    TemplateCall,
    UpdateTasks,
)
from chatbot.db import records, timers
from chatbot.db.dialogs import DialogRecord
from chatbot.db.records import OutboxItem
from chatbot.service.crm_notices import crm_notice

log = logging.getLogger(__name__)
MANAGERS = "managers"  # the outbox channel of task cards and alerts


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
            payload: dict[str, object] = {
                "text": effect.text,
                "key": effect.key,
                "buttons": [{"id": b.id, "label": b.label} for b in effect.buttons],
                "template": template_payload(effect.template),
            }
            if effect.fallback is not None:
                payload["fallback_template"] = template_payload(effect.fallback)
            if effect.personalise is not None:
                # The sender may swap the text for an LLM rewrite within these bounds.
                payload["personalise"] = {
                    "lang": effect.personalise.lang,
                    "max_chars": effect.personalise.max_chars,
                    "recent_messages": effect.personalise.recent_messages,
                }
            outbox.append(OutboxItem(key, "message", dialog.channel, dialog.chat_id, payload))
        elif isinstance(effect, ManagerDelivered):
            payload = {"text": effect.text, "manager": effect.manager, "buttons": []}
            if effect.attachment is not None:
                payload["copy_of"] = effect.attachment
            outbox.append(OutboxItem(key, "message", dialog.channel, dialog.chat_id, payload))
        elif isinstance(effect, SkippedReply):
            # The row is the durable record a report counts: status skipped, the reason in error.
            log.info("reply.skipped", extra={"dialog": dialog.id, "key": effect.key,
                                             "reason": effect.reason})  # fmt: skip
            outbox.append(OutboxItem(key, "message", dialog.channel, dialog.chat_id,
                                     {"key": effect.key}, "skipped", effect.reason))  # fmt: skip
        elif isinstance(effect, CreateTask):
            task_id = records.create_task(
                conn, dialog.id, effect.kind, effect.reason, now, effect.to
            )
            card: dict[str, object] = {
                "task_id": task_id, "kind": effect.kind, "reason": effect.reason,
                "dialog_id": dialog.id, "channel": dialog.channel, "chat_id": dialog.chat_id,
                "to": effect.to,
            }  # fmt: skip
            outbox.append(OutboxItem(key, "task", MANAGERS, "", card))
        elif isinstance(effect, UpdateTasks):
            changed = records.unfinished_task_ids(conn, dialog.id)
            records.update_open_tasks(conn, dialog.id, effect.status, effect.manager, now)
            if changed:  # the cards of these tasks show their new status and buttons
                update_: dict[str, object] = {"task_ids": changed, "dialog_id": dialog.id}
                outbox.append(OutboxItem(key, "card", MANAGERS, "", update_))
        elif isinstance(effect, Alert):
            alert: dict[str, object] = {"kind": effect.kind, "reason": effect.reason,
                                        "dialog_id": dialog.id}  # fmt: skip
            outbox.append(OutboxItem(key, "alert", MANAGERS, effect.kind, alert))
        elif isinstance(effect, ManagerResponse):
            records.record_response(conn, dialog.id, effect.manager, effect.seconds, effect.breach,
                                    now)  # fmt: skip
        if crm_events and (notice := crm_notice(dialog, key, effect, now, crm_events, task_id)):
            outbox.append(notice)
    cancelled = [name for name, t in final_timers.items() if t is None]
    kept = [timers.TimerSpec(t.name, t.token, t.due, t.keep_after_close)
            for t in final_timers.values() if t is not None]  # fmt: skip
    timers.cancel_timers(conn, dialog.id, cancelled)
    timers.set_timers(conn, dialog.id, kept)
    records.enqueue(conn, dialog.id, outbox, now)


def relay_to_managers(
    conn: Connection, dialog: DialogRecord, version: int, text: str, now: datetime
) -> None:
    """A customer's message in a dialog a manager holds goes on to the managers' chat."""
    payload: dict[str, object] = {"dialog_id": dialog.id, "text": text}
    item = OutboxItem(f"{dialog.id}:{version}:relay", "relay", MANAGERS, "", payload)
    records.enqueue(conn, dialog.id, [item], now)


def template_payload(call: TemplateCall | None) -> dict[str, object] | None:
    """A template call as the WhatsApp sender reads it from an outbox row."""
    if call is None:
        return None
    return {"name": call.name, "language": call.language, "body": list(call.body),
            "button_url": call.button_url}  # fmt: skip
