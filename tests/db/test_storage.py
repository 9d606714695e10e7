"""Storage on SQLite and PostgreSQL: dedupe, timers, tasks, outbox, migrations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select

from chatbot.core.outbox_messages import CustomerMessage
from chatbot.core.state import DialogState
from chatbot.db import dialogs, inbox, outbox_rows, records, timers
from chatbot.db.database import Database
from chatbot.db.migrate import current_revision, head_revision
from chatbot.db.tables import OutboxRow, TaskRow
from chatbot.ports.inbound import CustomerInfo

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ANNA = CustomerInfo(name="Анна", phone="+79990001122", lang="ru")


async def _dialog(db: Database, channel: str = "telegram", chat: str = "1") -> dialogs.DialogRecord:
    found = await db.read(dialogs.load_dialog, channel, chat)
    if found is None:
        found = await db.write(dialogs.create_dialog, channel, chat, ANNA, NOW, "ru")
    assert found is not None
    return found


async def test_migrated_to_head(db: Database) -> None:
    assert await current_revision(db) == head_revision()


async def test_dialog_created_once_and_state_round_trips(db: Database) -> None:
    first = await _dialog(db)
    again = await _dialog(db)
    assert first.id == again.id
    assert first.state == DialogState(channel="telegram", lang="ru")
    state = DialogState(
        channel="telegram",
        stage="thinking",
        vars={"amount": "2500"},
        last_inbound_at=NOW,
        version=1,
    )
    assert await db.write(dialogs.save_state, first.id, state, 0, NOW)
    assert not await db.write(dialogs.save_state, first.id, state, 0, NOW)  # version moved on
    saved = await _dialog(db)
    assert saved.state == state
    assert saved.version == 1


async def test_same_phone_is_one_customer_across_channels(db: Database) -> None:
    tg = await _dialog(db, "telegram", "1")
    wa = await _dialog(db, "whatsapp", "79990001122")
    assert tg.customer_id == wa.customer_id
    await db.write(dialogs.save_state, tg.id, DialogState(last_inbound_at=NOW, version=1), 0, NOW)
    seen = (await _dialog(db, "whatsapp", "79990001122")).other_last_inbound_at
    assert seen == NOW
    assert seen.tzinfo is not None


async def test_inbound_dedupe_by_unique_key(db: Database) -> None:
    d = await _dialog(db)
    decision = inbox.Decision("greeting", "rules", 0.9)
    first = await db.write(inbox.record_inbound, d.id, "telegram", "u-1", "hi", NOW, decision)

    def again(conn: Connection) -> tuple[bool, bool]:
        return (
            inbox.record_inbound(conn, d.id, "telegram", "u-1", "hi", NOW),
            inbox.record_inbound(conn, d.id, "whatsapp", "u-1", "hi", NOW),
        )

    second, other_channel = await db.write(again)
    assert first
    assert not second
    assert other_channel


async def test_crm_event_applies_once(db: Database) -> None:
    d = await _dialog(db)
    assert await db.write(inbox.record_crm_event, d.id, "crm-1", "order_paid", {}, NOW)
    assert not await db.write(inbox.record_crm_event, d.id, "crm-1", "order_paid", {}, NOW)


async def test_timer_consumed_exactly_once(db: Database) -> None:
    d = await _dialog(db)
    await db.write(timers.set_timers, d.id, [timers.TimerSpec("nudge_1", 1, NOW)])
    later = NOW + timedelta(hours=1)
    await db.write(timers.set_timers, d.id, [timers.TimerSpec("nudge_1", 2, later)])
    async with db.snapshot() as s:
        assert await timers.next_due(s, NOW) == later
    assert not await db.write(timers.consume_timer, d.id, "nudge_1", 1)  # replaced token
    assert await db.write(timers.consume_timer, d.id, "nudge_1", 2)
    assert not await db.write(timers.consume_timer, d.id, "nudge_1", 2)


async def test_claim_due_leases_rows(db: Database) -> None:
    d = await _dialog(db)
    await db.write(
        timers.set_timers,
        d.id,
        [timers.TimerSpec("a", 1, NOW), timers.TimerSpec("b", 2, NOW + timedelta(1))],
    )
    async with db.transaction() as s:
        claimed = await timers.claim_due(s, NOW, 10, timedelta(minutes=1))
    assert [(t.name, t.channel, t.chat_id) for t in claimed] == [("a", "telegram", "1")]
    async with db.transaction() as s:
        assert await timers.claim_due(s, NOW, 10, timedelta(minutes=1)) == []
    async with db.transaction() as s:  # the lease ran out: claimable again
        again = await timers.claim_due(s, NOW + timedelta(minutes=2), 10, timedelta(minutes=1))
    assert [t.name for t in again] == ["a"]


async def test_concurrent_claims_never_share_a_timer(db: Database) -> None:
    d = await _dialog(db)
    await db.write(timers.set_timers, d.id, [timers.TimerSpec(f"t{i}", i, NOW) for i in range(40)])

    async def claimer() -> list[str]:
        got: list[str] = []
        while True:
            async with db.transaction() as s:
                batch = await timers.claim_due(s, NOW, 3, timedelta(hours=1))
            if not batch:
                return got
            got += [t.name for t in batch]

    results = await asyncio.gather(claimer(), claimer(), claimer())
    names = [n for r in results for n in r]
    assert sorted(names) == sorted(f"t{i}" for i in range(40))


async def test_claims_keep_to_one_chat_when_asked(db: Database) -> None:
    mine, other = await _dialog(db, "console", "me"), await _dialog(db, "console", "other")
    for d in (mine, other):  # the other chat's timer is due first
        due = NOW - timedelta(hours=1 if d is mine else 2)
        await db.write(timers.set_timers, d.id, [timers.TimerSpec("t", 1, due)])
        hi = CustomerMessage("hi")
        item = outbox_rows.OutboxItem(f"k{d.id}", "console", d.chat_id, hi)
        await db.write(outbox_rows.enqueue, d.id, [item], NOW)
    only = ("console", "me")
    async with db.transaction() as s:
        assert await timers.next_due(s, NOW, only) == NOW - timedelta(hours=1)
        claimed = await timers.claim_due(s, NOW, 1, timedelta(minutes=1), only)
        assert await timers.next_due(s, NOW, only) is None
    assert [(t.dialog_id, t.chat_id) for t in claimed] == [(mine.id, "me")]
    for lease in (None, timedelta(minutes=1)):  # SKIP LOCKED on PostgreSQL with a lease
        rows = await db.write(outbox_rows.claim_due, ["console"], NOW, 10, lease, only)
        assert [(r.dialog_id, r.chat_id) for r in rows] == [(mine.id, "me")]
    async with db.transaction() as s:  # the other chat's timer and row are still there
        assert [t.chat_id for t in await timers.claim_due(s, NOW, 10, timedelta(1))] == ["other"]
    rows = await db.write(outbox_rows.claim_due, ["console"], NOW, 10, None)
    assert "other" in [r.chat_id for r in rows]


async def test_tasks_and_idempotent_outbox(db: Database) -> None:
    d = await _dialog(db)
    item = outbox_rows.OutboxItem("k1", "telegram", "1", CustomerMessage("hi"))

    def add(conn: Connection) -> None:
        records.create_task(conn, d.id, "lead", "Заказ", NOW)
        outbox_rows.enqueue(conn, d.id, [item], NOW)
        outbox_rows.enqueue(conn, d.id, [item], NOW)

    await db.write(add)
    assert await db.write(records.update_open_tasks, d.id, "taken", "olga", NOW) == 1
    assert await db.write(records.update_open_tasks, d.id, "done", None, NOW) == 1
    async with db.snapshot() as s:
        assert await records.open_tasks(s) == []
        task = (await s.execute(select(TaskRow))).scalar_one()
        assert (task.status, task.manager) == ("done", "olga")
        assert await s.scalar(select(func.count()).select_from(OutboxRow)) == 1


async def test_create_dialog_twice_returns_none(db: Database) -> None:
    await _dialog(db)
    assert await db.write(dialogs.create_dialog, "telegram", "1", ANNA, NOW, "ru") is None
