"""An event's key, written in the event's own transaction: a redelivery is never applied twice."""

from __future__ import annotations

import enum
import logging
from datetime import datetime

from sqlalchemy import Connection

from chatbot.core.events import (
    CrmEvent,
    CustomerMessage,
    Event,
    ManagerEvent,
    TimerFired,
    manager_note,
)
from chatbot.db import inbox, timers
from chatbot.ports.inbound import Inbound

log = logging.getLogger("chatbot.service.pipeline")  # the pipeline's story, under its name


class Seen(enum.Enum):
    """What the key says of an event."""

    FRESH = "fresh"
    DUPLICATE = "duplicate"  # delivered before: already applied
    STALE = "stale"  # a timer the dialog no longer holds


def record_key(
    conn: Connection,
    dialog_id: int,
    inbound: Inbound,
    event: Event,
    decision: inbox.Decision | None,
    now: datetime,
) -> Seen:
    """Record the event's dedupe key (or consume its timer) and say whether it is new."""
    if isinstance(event, CustomerMessage):
        if inbox.record_inbound(
            conn, dialog_id, inbound.channel, inbound.external_id, event.text, now, decision
        ):
            return Seen.FRESH
        log.info("pipeline.duplicate", extra={"dialog": dialog_id})
        return Seen.DUPLICATE
    if isinstance(event, TimerFired):
        fresh = timers.consume_timer(conn, dialog_id, event.name, event.token)
        return Seen.FRESH if fresh else Seen.STALE
    if isinstance(event, CrmEvent):
        fresh = inbox.record_crm_event(
            conn, dialog_id, inbound.external_id, event.type, dict(event.data), now
        )
    elif isinstance(event, ManagerEvent) and inbound.external_id is not None:
        fresh = inbox.record_inbound(
            conn,
            dialog_id,
            f"{inbound.channel}:manager",
            inbound.external_id,
            manager_note(event),
            now,
            author=event.manager,
        )
    else:
        fresh = True
    return Seen.FRESH if fresh else Seen.DUPLICATE
