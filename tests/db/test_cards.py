"""Task cards and managers' posts on SQLite and PostgreSQL; the schema matches the migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from chatbot.core.outbox_messages import MANAGERS, ManagerAlert
from chatbot.db import cards, dialogs, inbox, outbox_rows, records, reports
from chatbot.db.cards import Post
from chatbot.db.database import Database
from chatbot.db.migrate import alembic_config, current_revision, head_revision, upgrade
from chatbot.db.outbox_rows import OutboxItem
from chatbot.db.tables import Base
from chatbot.ports.inbound import CustomerInfo

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ANNA = CustomerInfo(name="Анна", phone="+79990001122", lang="ru")


async def _dialog(db: Database, chat: str = "1") -> dialogs.DialogRecord:
    made = await db.write(dialogs.create_dialog, "telegram", chat, ANNA, NOW, "ru")
    assert made is not None
    return made


async def test_the_tables_match_the_migrations(db: Database) -> None:
    def diff(sync_conn: Any) -> list[Any]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_the_cards_revision_goes_down_and_up_again(db: Database) -> None:
    def down(sync_conn: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, "0001")

    async with db.engine.begin() as conn:
        await conn.run_sync(down)
    assert await current_revision(db) == "0001"
    await upgrade(db)
    assert await current_revision(db) == head_revision()


async def test_a_card_knows_its_task_dialog_and_customer(db: Database) -> None:
    d = await _dialog(db)
    task = await db.write(records.create_task, d.id, "lead", "Заказ", NOW)
    async with db.transaction() as s:
        await cards.remember_card(s, task, "-100", 55)
    async with db.snapshot() as s:
        card = await cards.task_card(s, task)
        assert await cards.task_card(s, task + 1) is None
        assert await cards.has_tasks(s, d.id)
    assert card is not None
    assert (card.kind, card.status, card.customer_name, card.phone, card.channel) == (
        "lead",
        "open",
        "Анна",
        "+79990001122",
        "telegram",
    )
    assert (card.card_chat_id, card.card_message_id, card.stage) == ("-100", 55, "new")


async def test_cards_filter_by_dialog_ids_and_status(db: Database) -> None:
    first, second = await _dialog(db, "1"), await _dialog(db, "2")

    def make(conn: Connection) -> tuple[int, int, int]:
        a = records.create_task(conn, first.id, "lead", "", NOW)
        b = records.create_task(conn, second.id, "question", "", NOW)
        records.update_open_tasks(conn, second.id, "taken", "@olga", NOW)
        c = records.create_task(conn, first.id, "human", "", NOW)
        records.update_open_tasks(conn, first.id, "done", "@olga", NOW)
        return a, b, c

    a, b, c = await db.write(make)
    assert await db.write(records.unfinished_task_ids, second.id) == [b]
    async with db.snapshot() as s:

        async def ids(**where: Any) -> list[int]:
            return [x.task_id for x in await cards.cards(s, **where)]

        assert await ids() == [b]
        assert await ids(statuses=("done",)) == [a, c]
        assert await ids(dialog_id=first.id, statuses=("done",)) == [a, c]
        assert await ids(task_ids=[a, b], statuses=("taken", "done")) == [a, b]


async def test_posts_are_found_by_chat_and_message_and_recorded_once(db: Database) -> None:
    d = await _dialog(db)
    task = await db.write(records.create_task, d.id, "lead", "", NOW)
    async with db.transaction() as s:
        await cards.record_post(s, Post("-100", 1, d.id, task, "card", True), NOW)
        await cards.record_post(s, Post("-100", 1, d.id, task, "card", True), NOW)
        await cards.record_post(s, Post("-100", 2, d.id, task, "relay", False), NOW)
        await cards.record_post(s, Post("9001", 1, d.id, task, "supervisor", True), NOW)
    async with db.snapshot() as s:
        assert await cards.find_post(s, "-100", 2) == Post("-100", 2, d.id, task, "relay", False)
        assert await cards.find_post(s, "-100", 3) is None
        assert [(p.chat_id, p.kind) for p in await cards.buttoned_posts(s, task)] == [
            ("-100", "card"),
            ("9001", "supervisor"),
        ]
        ref = await cards.dialog_ref(s, d.id)
    assert ref == cards.DialogRef(d.id, "telegram", "1", "Анна", "+79990001122", "new")


async def test_last_lines_are_the_customers_channel_only(db: Database) -> None:
    d = await _dialog(db)
    for n in range(7):
        await db.write(
            inbox.record_message,
            d.id,
            "telegram",
            "in",
            "customer",
            f"m{n}",
            NOW + timedelta(seconds=n),
        )
    await db.write(inbox.record_inbound, d.id, "telegram:manager", "g:1", "[take]", NOW, author="x")
    ref = cards.DialogRef(d.id, "telegram", "1", "Анна", None, "new")
    async with db.snapshot() as s:
        lines = await cards.last_lines(s, ref, 5)
    assert [line.text for line in lines] == ["m2", "m3", "m4", "m5", "m6"]


async def test_todays_figures(db: Database) -> None:
    d = await _dialog(db)

    def day(conn: Connection) -> int:
        records.record_response(conn, d.id, "@olga", 60, False, NOW)
        records.record_response(conn, d.id, "@olga", 900, True, NOW)
        records.record_response(conn, d.id, "@ivan", 30, False, NOW - timedelta(days=1))
        task = records.create_task(conn, d.id, "lead", "", NOW)
        records.update_open_tasks(conn, d.id, "taken", "@maria", NOW)
        sla = ManagerAlert("sla", "", d.id)
        items = [OutboxItem.staff("k1", MANAGERS, sla), OutboxItem.staff("k2", MANAGERS, sla)]
        outbox_rows.enqueue(conn, d.id, items, NOW)
        return task

    task = await db.write(day)
    assert task
    async with db.snapshot() as s:
        figures = await reports.responses_since(s, NOW - timedelta(hours=1))
        alerts = await reports.alerts_since(s, NOW - timedelta(hours=1))
        active = await reports.managers_active_since(s, NOW - timedelta(hours=1))
    assert figures == [reports.ManagerFigures("@olga", 2, 480.0, 900.0, 1)]
    assert alerts == {"sla": 2}
    assert active == ["@maria", "@olga"]
