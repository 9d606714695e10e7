"""Claiming a week's digest: one row per ISO week, so one instance of several sends it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from chatbot.db.prepared import Prepared
from chatbot.db.tables import ReportDigestRow


def _build(insert: Any) -> Any:
    return insert(ReportDigestRow).on_conflict_do_nothing(index_elements=["week"])


_CLAIM = Prepared(_build)


def claim_week(conn: Connection, week: str, now: datetime) -> bool:
    """True for the one caller that claimed `week` first (the row commits with the caller)."""
    return bool(_CLAIM.rowcount(conn, {"week": week, "created_at": now}))
