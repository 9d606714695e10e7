"""A customer's photo, file, voice, place or contact goes to the managers beside the task card."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from chatbot.core.media import Media
from chatbot.core.state import DialogState
from chatbot.db import records
from chatbot.db.dialogs import DialogRecord
from chatbot.db.records import OutboxItem

MANAGERS = "managers"  # the outbox channel of the managers' chat (as in chatbot.service.persist)
MEDIA = "media"  # the outbox kind: the managers' sender posts the file itself


def relay_media(
    conn: Connection,
    dialog: DialogRecord,
    state: DialogState,
    media: Media,
    now: datetime,
) -> bool:
    """Queue the media for the managers' chat when a manager holds or has to look at the dialog.

    Queued after the step's task card in the same transaction, so the card is posted first and
    the media goes beside it. A dialog the bot leads alone keeps the marker in its history only.
    Returns whether it was queued.
    """
    if not state.paused and not records.unfinished_task_ids(conn, dialog.id):
        return False
    payload: dict[str, object] = {"dialog_id": dialog.id, "channel": dialog.channel,
                                  "media": media.to_json()}  # fmt: skip
    item = OutboxItem(f"{dialog.id}:{state.version}:{MEDIA}", MEDIA, MANAGERS, "", payload)
    records.enqueue(conn, dialog.id, [item], now)
    return True
