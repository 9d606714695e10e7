"""A customer's photo, file, voice, place or contact goes to the managers beside the task card."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from chatbot.core.media import Media
from chatbot.core.outbox_messages import MANAGERS, MediaRelay
from chatbot.core.state import DialogState
from chatbot.db import outbox_rows, records
from chatbot.db.dialogs import DialogRecord
from chatbot.db.outbox_rows import OutboxItem

MEDIA = MediaRelay.ROW_KIND  # the outbox kind: the managers' sender posts the file itself


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
    relay = MediaRelay(dialog.id, dialog.channel, media)
    item = OutboxItem.staff(f"{dialog.id}:{state.version}:{MEDIA}", MANAGERS, relay)
    outbox_rows.enqueue(conn, dialog.id, [item], now)
    return True
