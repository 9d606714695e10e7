"""Writing a step's effects in the event's transaction: timers, tasks, outbox, responses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

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
from chatbot.db import inbox, records, timers
from chatbot.db.dialogs import DialogRecord

MANAGERS = "managers"  # the outbox channel of task cards and alerts


async def persist_effects(
    session: AsyncSession,
    dialog: DialogRecord,
    version: int,
    effects: Sequence[Effect],
    now: datetime,
) -> None:
    """Write every effect that outlives the step; keys make a replay idempotent."""
    for index, effect in enumerate(effects):
        key = f"{dialog.id}:{version}:{index}"
        if isinstance(effect, SetTimer):
            await timers.set_timer(session, dialog.id, effect.name, effect.token, effect.due,
                                   effect.keep_after_close)  # fmt: skip
        elif isinstance(effect, CancelTimer):
            await timers.cancel_timer(session, dialog.id, effect.name)
        elif isinstance(effect, Reply):
            payload: dict[str, object] = {
                "text": effect.text,
                "key": effect.key,
                "buttons": [{"id": b.id, "label": b.label} for b in effect.buttons],
                "template": effect.template,
            }
            await records.enqueue(session, dialog.id, key, "message", dialog.channel,
                                  dialog.chat_id, payload, now)  # fmt: skip
            await inbox.record_message(session, dialog.id, dialog.channel, "out", "bot",
                                       effect.text, now)  # fmt: skip
        elif isinstance(effect, ManagerDelivered):
            payload = {"text": effect.text, "manager": effect.manager, "buttons": []}
            await records.enqueue(session, dialog.id, key, "message", dialog.channel,
                                  dialog.chat_id, payload, now)  # fmt: skip
            await inbox.record_message(session, dialog.id, dialog.channel, "out",
                                       effect.manager, effect.text, now)  # fmt: skip
        elif isinstance(effect, SkippedReply):
            await records.enqueue(session, dialog.id, key, "message", dialog.channel,
                                  dialog.chat_id, {"key": effect.key, "reason": effect.reason},
                                  now, status="skipped")  # fmt: skip
        elif isinstance(effect, CreateTask):
            task_id = await records.create_task(session, dialog.id, effect.kind, effect.reason,
                                                now)  # fmt: skip
            card = {
                "task_id": task_id,
                "kind": effect.kind,
                "reason": effect.reason,
                "dialog_id": dialog.id,
                "channel": dialog.channel,
                "chat_id": dialog.chat_id,
            }
            await records.enqueue(session, dialog.id, key, "task", MANAGERS, "", card, now)
        elif isinstance(effect, UpdateTasks):
            await records.update_open_tasks(session, dialog.id, effect.status, effect.manager, now)
        elif isinstance(effect, Alert):
            alert = {"kind": effect.kind, "reason": effect.reason, "dialog_id": dialog.id}
            await records.enqueue(session, dialog.id, key, "alert", MANAGERS, effect.kind, alert,
                                  now)  # fmt: skip
        elif isinstance(effect, ManagerResponse):
            await records.record_response(session, dialog.id, effect.manager, effect.seconds,
                                          effect.breach, now)  # fmt: skip
