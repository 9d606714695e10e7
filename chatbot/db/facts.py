"""Writing the report's facts (dialog_facts) in the event's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam

from chatbot.db.prepared import Prepared
from chatbot.db.tables import DialogFactRow
from chatbot.engine.report_facts import ReportFact

_COLUMNS = ("dialog_id", "kind", "name", "manager", "value", "created_at")


def _build(insert: Any) -> Any:
    return insert(DialogFactRow).values({c: bindparam(c) for c in _COLUMNS})


_INSERT = Prepared(_build)


def record_facts(
    conn: Connection, dialog_id: int, facts: Sequence[ReportFact], now: datetime
) -> None:
    """Add the step's facts to the dialog's."""
    if facts:
        rows = [
            {
                "dialog_id": dialog_id,
                "kind": f.kind,
                "name": f.name,
                "manager": f.manager,
                "value": f.value,
                "created_at": now,
            }
            for f in facts
        ]
        _INSERT.many(conn, rows)
