"""What the CRM is told about a dialog: closes, new tasks and stage changes, as outbox rows."""

from __future__ import annotations

from datetime import datetime

from chatbot.core.effects import Close, CreateTask, Effect, StageChanged
from chatbot.db.dialogs import DialogRecord
from chatbot.db.records import OutboxItem

CRM = "crm"  # the outbox channel of outbound CRM webhooks
CRM_EVENTS = ("dialog_closed", "task_created", "stage_changed")


def crm_notice(
    dialog: DialogRecord,
    key: str,
    effect: Effect,
    now: datetime,
    wanted: frozenset[str],
    task_id: int | None = None,
) -> OutboxItem | None:
    """The outbox row announcing `effect` to the CRM, if it is an event the shop asked for."""
    data: dict[str, object]
    if isinstance(effect, Close):
        event, data = "dialog_closed", {"reason": effect.reason}
    elif isinstance(effect, CreateTask):
        event, data = "task_created", {"task_id": task_id, "kind": effect.kind,
                                       "reason": effect.reason}  # fmt: skip
    elif isinstance(effect, StageChanged):
        event, data = "stage_changed", {"from": effect.from_stage, "to": effect.to_stage}
    else:
        return None
    if event not in wanted:
        return None
    payload: dict[str, object] = {
        "event": event,
        "occurred_at": now.isoformat(),
        "dialog": {"id": dialog.id, "channel": dialog.channel, "chat_id": dialog.chat_id,
                   "phone": dialog.phone},
        "data": data,
    }  # fmt: skip
    return OutboxItem(f"{key}:crm", "crm", CRM, "", payload)
