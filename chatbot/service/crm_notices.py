"""What the CRM is told about a dialog: closes, new tasks and stage changes, as outbox rows."""

from __future__ import annotations

from datetime import datetime

from chatbot.core.effects import Close, CreateTask, Effect, StageChanged
from chatbot.core.outbox_messages import CRM, CrmDialog, CrmNotice
from chatbot.db.dialogs import DialogRecord
from chatbot.db.outbox_rows import OutboxItem

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
        event, data = (
            "task_created",
            {"task_id": task_id, "kind": effect.kind, "reason": effect.reason},
        )
    elif isinstance(effect, StageChanged):
        event, data = "stage_changed", {"from": effect.from_stage, "to": effect.to_stage}
    else:
        return None
    if event not in wanted:
        return None
    about = CrmDialog(dialog.id, dialog.channel, dialog.chat_id, dialog.phone)
    return OutboxItem.staff(f"{key}:crm", CRM, CrmNotice(event, now, about, data))
