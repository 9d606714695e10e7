"""JSON columns: orjson writes them, the standard library reads them back unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from chatbot.core.outbox_messages import CRM, CrmDialog, CrmNotice
from chatbot.db import dialogs, outbox_rows
from chatbot.db.database import Database
from chatbot.db.json_codec import dumps
from chatbot.db.outbox_rows import OutboxItem
from chatbot.db.tables import OutboxRow
from chatbot.ports.inbound import CustomerInfo

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BIG = 123456789012345678901234567890  # a CRM id beyond 64 bits


def test_the_text_reads_back_as_the_same_value() -> None:
    value = {"text": "Привет 🎈", "buttons": [{"id": "a", "label": "Да"}], "n": 1.5, "x": None}
    text = dumps(value)
    assert json.loads(text) == value
    assert "Привет" in text  # stored as it reads, not as \u escapes


def test_keys_that_are_not_strings_become_strings_as_json_dumps_makes_them() -> None:
    value = {1: "a", 2.5: "b", None: "c"}
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))


def test_an_integer_beyond_64_bits_is_kept_exactly() -> None:
    assert json.loads(dumps({"order_id": BIG})) == {"order_id": BIG}


async def test_a_payload_round_trips_through_the_database(db: Database) -> None:
    made = await db.write(dialogs.create_dialog, "telegram", "7", CustomerInfo(), NOW, "ru")
    assert made is not None
    about = CrmDialog(made.id, "telegram", "7", None)
    notice = CrmNotice("task_created", NOW, about, {"order_id": BIG, "text": "Привет"})
    await db.write(outbox_rows.enqueue, made.id, [OutboxItem.staff("k1", CRM, notice)], NOW)
    payload = notice.to_payload()
    stored = await db.read(lambda c: c.scalar(select(OutboxRow.payload)))
    assert stored == payload
