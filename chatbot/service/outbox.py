"""The outbox sender: delivers pending rows through channel ports with bounded retries."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, update

from chatbot.core.clock import Clock
from chatbot.core.events import history_text
from chatbot.db import inbox
from chatbot.db.database import Database
from chatbot.db.outbox_claims import claim_due
from chatbot.db.prepared import Prepared
from chatbot.db.tables import OutboxRow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
PARALLEL_CHATS = 16  # chats sent to at once; a chat's own rows always go one after another
MAX_BACKOFF_SECONDS = 600.0
# How long a claimed row stays out of other instances' view while this one sends it.
CLAIM_LEASE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One outbox row as a channel sees it."""

    idempotency_key: str
    kind: str
    chat_id: str
    payload: Mapping[str, Any]
    attempts: int = 0  # failed tries so far: a sender may say why on the last one


class SendFailed(Exception):
    """Delivery failed; `retry_after` asks to wait, `final` means never retry.

    `blocked` says the customer cannot receive messages any more (Telegram 403, WhatsApp
    131026): the row fails for good and the dialog gets a bot_blocked event. `skipped` says the
    message may not be sent at all (WhatsApp's window closed and the text has no template): the
    row is recorded as skipped. `reengagement` marks WhatsApp's "window closed" answer.
    """

    def __init__(
        self,
        reason: str,
        retry_after: float | None = None,
        final: bool = False,
        blocked: bool = False,
        skipped: bool = False,
        reengagement: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.final = final or blocked or skipped
        self.blocked = blocked
        self.skipped = skipped
        self.reengagement = reengagement


def retry_after_seconds(header: str | None, default: float | None, cap: float) -> float | None:
    """A Retry-After header in seconds, within [0, cap]; `default` when absent or not a number."""
    try:
        seconds = float(header) if header else None
    except ValueError:
        return default
    if seconds is None or not math.isfinite(seconds):
        return default
    return min(max(seconds, 0.0), cap)


class MessageSender(Protocol):
    """A channel's way to deliver one outbox row (idempotent by its key)."""

    async def send(self, message: OutgoingMessage) -> None:
        """Deliver the message or raise SendFailed."""
        ...


class Composer(Protocol):
    """Decides a message's final text right before it is sent (an LLM rewrite, say)."""

    per_round: int  # how many messages one delivery round composes at most

    def wants(self, message: OutgoingMessage) -> bool:
        """True when the message still needs composing."""
        ...

    async def compose(
        self, row_id: int, dialog_id: int, message: OutgoingMessage
    ) -> OutgoingMessage:
        """The message to send, its decision recorded on the row."""
        ...


_Item = tuple[int, int, str, OutgoingMessage, int]  # row id, dialog id, channel, message, attempts


class OutboxSender:
    """Delivers pending rows in order, a chat's after its earlier ones; `only` keeps to one chat."""

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, MessageSender],
        clock: Clock,
        on_blocked: Callable[[str, str], Awaitable[object]] | None = None,
        composer: Composer | None = None,
        only: tuple[str, str] | None = None,
        on_skipped: Callable[[OutgoingMessage, str], None] | None = None,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.on_blocked = on_blocked
        self.composer = composer
        self.only = only
        self.on_skipped = on_skipped
        self._stopping = False

    def stop(self) -> None:
        """Start no new send (shutting down): rows not sent yet stay pending for the next start."""
        self._stopping = True

    async def deliver_pending(self, limit: int = 100) -> int:
        """Send what is due now; returns how many rows were delivered."""
        now = self.clock.now()
        # Several instances share a PostgreSQL outbox; SQLite has one instance by design.
        lease = None if self.db.is_sqlite else CLAIM_LEASE
        rows = await self.db.write(claim_due, list(self.senders), now, limit, lease, self.only)
        batch: list[_Item] = [
            (r.id, r.dialog_id, r.channel,
             OutgoingMessage(r.idempotency_key, r.kind, r.chat_id, r.payload, r.attempts),
             r.attempts)
            for r in rows]  # fmt: skip
        if self.composer is not None:
            claimed = [item[0] for item in batch]
            batch = await self._compose(self.composer, batch)
            kept = {item[0] for item in batch}
            if lease is not None:
                await self._release([i for i in claimed if i not in kept])
        chats: dict[tuple[str, str], list[_Item]] = {}
        for item in batch:
            chats.setdefault((item[2], item[3].chat_id), []).append(item)
        # Chats in parallel: one slow answer (Telegram's round trip is tens of milliseconds)
        # must not hold every other customer's reply behind it.
        slots = asyncio.Semaphore(PARALLEL_CHATS)
        done = await asyncio.gather(
            *(self._deliver_chat(chat, slots, lease is not None) for chat in chats.values())
        )
        return sum(done)

    async def _deliver_chat(self, rows: list[_Item], slots: asyncio.Semaphore, leased: bool) -> int:
        """Send one chat's rows in order; stop at a failure that will be retried."""
        sent = 0
        async with slots:
            for index, row in enumerate(rows):
                if self._stopping:
                    if leased:  # another instance may send them at once
                        await self._release([r[0] for r in rows[index:]])
                    break
                delivered, retry = await self._deliver(row)
                sent += delivered
                if retry:
                    # The chat's later rows wait behind this one; leased ones are given back
                    # at once rather than at the lease's end.
                    if leased:
                        await self._release([r[0] for r in rows[index + 1 :]])
                    break
        return sent

    async def _release(self, row_ids: list[int]) -> None:
        """Give claimed but unsent rows back to every sender at once."""
        if row_ids:
            await self.db.write(_release_rows, row_ids, self.clock.now())

    async def _compose(self, composer: Composer, batch: Sequence[_Item]) -> list[_Item]:
        """Compose up to `per_round` rows that need it; a held-back chat's later rows wait too."""
        kept: list[_Item] = []
        chosen: list[int] = []
        waiting: set[tuple[str, str]] = set()
        for item in batch:
            chat = (item[2], item[3].chat_id)
            if chat in waiting:
                continue
            if composer.wants(item[3]):
                if len(chosen) >= composer.per_round:
                    waiting.add(chat)
                    continue
                chosen.append(len(kept))
            kept.append(item)
        # Outside any transaction: composing may wait for the LLM, bounded by its deadline.
        done = await asyncio.gather(*(composer.compose(kept[i][0], kept[i][1], kept[i][3])
                                      for i in chosen), return_exceptions=True)  # fmt: skip
        for i, message in zip(chosen, done, strict=True):
            row_id, dialog_id, channel, _, attempts = kept[i]
            if isinstance(message, Exception):
                # The row as written is complete (a rewrite's fallback text): send it as it is.
                log.error("outbox.compose_failed", extra={"row": row_id}, exc_info=message)
                continue
            if isinstance(message, BaseException):
                raise message
            kept[i] = (row_id, dialog_id, channel, message, attempts)
        return kept

    async def _deliver(self, row: _Item) -> tuple[bool, bool]:
        """Send one row and record the outcome: (delivered, to be retried)."""
        row_id, _, channel, message, attempts = row
        values: dict[str, Any]
        retry = False
        try:
            await self.senders[channel].send(message)
            values = {"status": "sent", "sent_at": self.clock.now(), "attempts": attempts + 1}
        except SendFailed as exc:
            limit = getattr(self.senders[channel], "max_attempts", MAX_ATTEMPTS)
            values = self._failure(exc, attempts, limit)
            retry = values.get("status") != "failed"
            if exc.skipped:
                log.warning("outbox.skipped", extra={"row": row_id, "reason": str(exc)})
                if self.on_skipped is not None:
                    self.on_skipped(message, str(exc))
            else:
                log.warning("outbox.send_failed", extra={"row": row_id, "reason": str(exc)})
            if exc.blocked and self.on_blocked is not None and message.kind == "message":
                await self.on_blocked(channel, message.chat_id)
        await self.db.write(_record_outcome, row, values, self.clock.now())
        return values.get("status") == "sent", retry

    def _failure(self, exc: SendFailed, attempts: int, limit: int) -> dict[str, Any]:
        if exc.retry_after is not None and not exc.final:
            # Flood control says when to come back. Waiting is not a failed attempt, so a long
            # 429 storm cannot use up the attempts and drop the message.
            later = self.clock.now() + timedelta(seconds=exc.retry_after)
            return {"error": str(exc), "next_attempt_at": later}
        attempts += 1
        if exc.skipped:
            return {"status": "skipped", "attempts": attempts, "error": str(exc)}
        if exc.final or attempts >= limit:
            return {"status": "failed", "attempts": attempts, "error": str(exc)}
        backoff = min(2.0**attempts, MAX_BACKOFF_SECONDS)
        delay = exc.retry_after if exc.retry_after is not None else backoff
        return {
            "attempts": attempts,
            "error": str(exc),
            "next_attempt_at": self.clock.now() + timedelta(seconds=delay),
        }


_SENT = Prepared(
    lambda _: update(OutboxRow)
    .where(OutboxRow.id == bindparam("row_id"))
    .values(status=bindparam("status"), sent_at=bindparam("sent_at"),
            attempts=bindparam("attempts"))
)  # fmt: skip


def _release_rows(conn: Connection, row_ids: list[int], now: datetime) -> None:
    """Make claimed rows due again now."""
    conn.execute(update(OutboxRow).where(OutboxRow.id.in_(row_ids)).values(next_attempt_at=now))


def _record_outcome(conn: Connection, row: _Item, values: dict[str, Any], now: datetime) -> None:
    """Write a send's outcome on its row; a sent message also goes into the dialog's history."""
    row_id, dialog_id, channel, message, _ = row
    if values.get("status") == "sent":
        _SENT.rowcount(conn, {"row_id": row_id, **values})
    else:
        conn.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(values))
    if values.get("status") == "sent" and message.kind == "message":
        # Outbound messages are recorded once really sent, not when planned.
        author = str(message.payload.get("manager") or "bot")
        copied = message.payload.get("copy_of")
        text = history_text(str(message.payload.get("text", "")), str(copied) if copied else None)
        inbox.record_message(conn, dialog_id, channel, "out", author, text, now)
