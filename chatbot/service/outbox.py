"""The outbox sender: delivers pending rows through channel ports with bounded retries."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from chatbot.concurrency.chats import each_chat_in_order
from chatbot.core.clock import Clock
from chatbot.db.database import Database
from chatbot.db.outbox_rows import Delivery, claim_due, record_failure, record_outcome, release_rows
from chatbot.ports.outbound import MessageSender, OutgoingMessage, SendFailed
from chatbot.service.retries import RetryPolicy

log = logging.getLogger(__name__)
PARALLEL_CHATS = 16  # chats sent to at once; a chat's own rows always go one after another
BLOCKED_REASON = "not sent: the customer cannot receive messages (blocked the bot)"
# How long a claimed row stays out of other instances' view while this one sends it.
CLAIM_LEASE = timedelta(seconds=60)


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


@dataclass(frozen=True, slots=True)
class _Item:
    """A claimed row on its way: the message and what recording its outcome needs."""

    row_id: int
    dialog_id: int
    channel: str
    message: OutgoingMessage
    failing_since: datetime  # the row's first failed send, or now when it has not failed yet

    @property
    def chat(self) -> tuple[str, str]:
        """The channel and chat the row goes to: its rows are sent one after another."""
        return self.channel, self.message.chat_id


class _Result(enum.Enum):
    """What one send did to its chat's queue."""

    SENT = "sent"
    DONE = "done"  # failed for good or skipped: the chat's next row may go
    RETRY = "retry"  # the chat waits behind this row
    BLOCKED = "blocked"  # the customer cannot receive anything: the chat's later rows dropped


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
        retries: RetryPolicy | None = None,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.on_blocked = on_blocked
        self.composer = composer
        self.only = only
        self.on_skipped = on_skipped
        self.retries = retries or RetryPolicy()
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
        batch = [
            _Item(
                r.id,
                r.dialog_id,
                r.channel,
                OutgoingMessage(
                    r.idempotency_key,
                    r.chat_id,
                    r.message,
                    r.attempts,
                    r.first_failed_at is not None
                    and now >= self.retries.deadline(r.first_failed_at),
                ),
                r.first_failed_at or now,
            )
            for r in rows
        ]
        if self.composer is not None:
            claimed = [item.row_id for item in batch]
            batch = await self._compose(self.composer, batch)
            kept = {item.row_id for item in batch}
            if lease is not None:
                await self._release([i for i in claimed if i not in kept])
        # Chats in parallel: one slow answer must not hold every other customer's reply behind it.
        deliver = partial(self._deliver_chat, leased=lease is not None)
        done = await each_chat_in_order(batch, lambda item: item.chat, deliver, PARALLEL_CHATS)
        return sum(done)

    async def _deliver_chat(self, rows: list[_Item], leased: bool) -> int:
        """Send one chat's rows in order; stop at a failure that will be retried or a block."""
        sent = 0
        for index, row in enumerate(rows):
            if self._stopping:
                if leased:  # another instance may send them at once
                    await self._release([r.row_id for r in rows[index:]])
                break
            outcome = await self._deliver(row)
            sent += outcome is _Result.SENT
            if outcome is _Result.RETRY:
                # The chat's later rows wait behind this one; leased ones are given back at
                # once rather than at the lease's end.
                if leased:
                    await self._release([r.row_id for r in rows[index + 1 :]])
                break
            if outcome is _Result.BLOCKED:
                break  # the later rows were dropped with the block: not one more call
        return sent

    async def _release(self, row_ids: list[int]) -> None:
        """Give claimed but unsent rows back to every sender at once."""
        if row_ids:
            await self.db.write(release_rows, row_ids, self.clock.now())

    async def _compose(self, composer: Composer, batch: Sequence[_Item]) -> list[_Item]:
        """Compose up to `per_round` rows that need it; a held-back chat's later rows wait too."""
        kept: list[_Item] = []
        chosen: list[int] = []
        waiting: set[tuple[str, str]] = set()
        for item in batch:
            if item.chat in waiting:
                continue
            if composer.wants(item.message):
                if len(chosen) >= composer.per_round:
                    waiting.add(item.chat)
                    continue
                chosen.append(len(kept))
            kept.append(item)
        # Outside any transaction: composing may wait for the LLM, bounded by its deadline.
        done = await asyncio.gather(
            *(composer.compose(kept[i].row_id, kept[i].dialog_id, kept[i].message) for i in chosen),
            return_exceptions=True,
        )
        for i, message in zip(chosen, done, strict=True):
            if isinstance(message, Exception):
                # The row as written is complete (a rewrite's fallback text): send it as it is.
                log.error("outbox.compose_failed", extra={"row": kept[i].row_id}, exc_info=message)
                continue
            if isinstance(message, BaseException):
                raise message
            kept[i] = replace(kept[i], message=message)
        return kept

    async def _deliver(self, row: _Item) -> _Result:
        """Send one row and record the outcome."""
        message = row.message
        values: dict[str, Any]
        try:
            await self.senders[row.channel].send(message)
        except SendFailed as exc:
            values = self._failure(row, exc)
            blocked = exc.blocked and message.kind == "message"
            if blocked and self.on_blocked is not None:
                await self.on_blocked(row.channel, message.chat_id)
            drop = BLOCKED_REASON if blocked else None
            delivery = _delivery(row)
            dropped = await self.db.write(record_failure, delivery, values, self.clock.now(), drop)
            for later in dropped:
                self._skipped(replace(message, body=later), BLOCKED_REASON)
            if blocked:
                return _Result.BLOCKED
            return _Result.RETRY if values.get("status") is None else _Result.DONE
        values = {"status": "sent", "sent_at": self.clock.now(), "attempts": message.attempts + 1}
        await self.db.write(record_outcome, _delivery(row), values, self.clock.now())
        return _Result.SENT

    def _failure(self, row: _Item, exc: SendFailed) -> dict[str, Any]:
        """The row's new values after a failed send (no status: it stays pending for a retry)."""
        reason = str(exc)
        where = {"row": row.row_id, "channel": row.channel, "reason": reason}
        attempts = row.message.attempts
        if exc.retry_after is None or exc.final:
            attempts += 1  # flood control's wait is not a failed attempt
        if exc.skipped:
            log.warning("outbox.skipped", extra=where)
            self._skipped(row.message, reason)
            return {"status": "skipped", "attempts": attempts, "error": reason}
        log.warning("outbox.send_failed", extra=where)
        if exc.final:
            return {"status": "failed", "attempts": attempts, "error": reason}
        now = self.clock.now()
        later = self.retries.next_try(attempts, row.failing_since, now, exc.retry_after)
        if later is None:
            age = (now - row.failing_since).total_seconds()
            window = self.retries.window.total_seconds()
            log.error(
                "outbox.gave_up",
                extra={**where, "age_seconds": round(age), "window_seconds": round(window)},
            )
            return {
                "status": "failed",
                "attempts": attempts,
                "error": f"given up {round(age)} s after its first failure: {reason}",
            }
        return {
            "attempts": attempts,
            "error": reason,
            "next_attempt_at": later,
            "first_failed_at": row.failing_since,
        }

    def _skipped(self, message: OutgoingMessage, reason: str) -> None:
        if self.on_skipped is not None:
            self.on_skipped(message, reason)


def _delivery(row: _Item) -> Delivery:
    """What recording the row's outcome needs."""
    return Delivery(row.row_id, row.dialog_id, row.channel, row.message.chat_id, row.message.body)
