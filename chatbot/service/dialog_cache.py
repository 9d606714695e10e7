"""Snapshots of recently active dialogs, so a SQLite event needs no read before its write."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from chatbot.db.dialogs import DialogRecord

Key = tuple[str, str]


class DialogCache:
    """A bounded LRU of dialog snapshots; a version check on write catches any stale entry."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Key, DialogRecord] = OrderedDict()
        self._by_customer: dict[int, set[Key]] = {}

    def get(self, key: Key) -> DialogRecord | None:
        """The snapshot of a dialog, if cached."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, record: DialogRecord) -> None:
        """Remember a dialog's snapshot after a successful write."""
        key = (record.channel, record.chat_id)
        self._items[key] = record
        self._items.move_to_end(key)
        self._by_customer.setdefault(record.customer_id, set()).add(key)
        while len(self._items) > self.capacity:
            old_key, old = self._items.popitem(last=False)
            self._forget(old_key, old.customer_id)

    def drop(self, key: Key) -> None:
        """Forget a dialog (its row changed behind our back)."""
        old = self._items.pop(key, None)
        if old is not None:
            self._forget(key, old.customer_id)

    def drop_customer(self, customer_id: int) -> None:
        """Forget every dialog of a customer (their dialogs moved to another customer)."""
        for key in list(self._by_customer.get(customer_id, ())):
            self.drop(key)

    def note_inbound(self, customer_id: int, key: Key, at: datetime) -> None:
        """The customer wrote in dialog `key`: their other cached dialogs learn it."""
        for other in self._by_customer.get(customer_id, set()) - {key}:
            record = self._items[other]
            last = record.other_last_inbound_at
            if last is None or at > last:
                self._items[other] = replace(record, other_last_inbound_at=at)

    def _forget(self, key: Key, customer_id: int) -> None:
        keys = self._by_customer.get(customer_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_customer[customer_id]

    def __len__(self) -> int:
        return len(self._items)
