"""The dialog cache: LRU bound, drops, and cross-dialog activity of one customer."""

from __future__ import annotations

from datetime import UTC, datetime

from chatbot.core.state import DialogState
from chatbot.db.dialogs import DialogRecord
from chatbot.service.dialog_cache import DialogCache

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def record(chat: str, customer: int = 1) -> DialogRecord:
    return DialogRecord(1, customer, "telegram", chat, DialogState(), 0, "", None, None)


def test_lru_bound() -> None:
    cache = DialogCache(capacity=2)
    cache.put(record("a"))
    cache.put(record("b"))
    assert cache.get(("telegram", "a")) is not None  # a is now the most recent
    cache.put(record("c"))
    assert cache.get(("telegram", "b")) is None
    assert len(cache) == 2


def test_other_dialogs_of_the_customer_learn_activity() -> None:
    cache = DialogCache()
    cache.put(record("a"))
    cache.put(record("b"))
    cache.put(record("x", customer=2))
    cache.note_inbound(1, ("telegram", "a"), NOW)
    b = cache.get(("telegram", "b"))
    assert b is not None
    assert b.other_last_inbound_at == NOW
    a = cache.get(("telegram", "a"))
    assert a is not None
    assert a.other_last_inbound_at is None
    x = cache.get(("telegram", "x"))
    assert x is not None
    assert x.other_last_inbound_at is None
    cache.drop(("telegram", "b"))
    assert cache.get(("telegram", "b")) is None
