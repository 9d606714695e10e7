"""Whether the running bot can serve customers: what /readyz reports, with the reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from chatbot.channels.port import Channel
from chatbot.db.database import Database
from chatbot.db.outbox_rows import oldest_due

OUTBOX_STUCK_AFTER: Final = timedelta(minutes=2)
"""A row due this long and still unsent means the sender is not working (it polls every second;
a failed send moves the row's next attempt into the future, so retries alone never trip it)."""


async def readiness_problems(
    db: Database,
    channels: Sequence[Channel],
    outbox_channels: Sequence[str],
    now: datetime,
    stuck_after: timedelta = OUTBOX_STUCK_AFTER,
) -> list[str]:
    """One reason per thing that keeps the bot from serving; empty when it is ready."""
    problems = []
    try:
        due = await db.read(oldest_due, outbox_channels, now)
    except Exception as exc:  # any failure of the database is a reason, whatever its kind
        problems.append(f"database: {type(exc).__name__}: {str(exc)[:200]}")
    else:
        if due is not None and now - due > stuck_after:
            waited = int((now - due).total_seconds())
            problems.append(f"outbox: a message has been due for {waited} s and is not sent")
    for channel in channels:
        problem = channel.not_ready()
        if problem is not None:
            problems.append(f"{channel.name}: {problem}")
    return problems
