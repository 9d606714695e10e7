"""Benchmark (report): `chatbot report`'s figures on a year of a busy shop, SQLite and PostgreSQL.

Builds a database of `--dialogs` dialogs spread over 2025 (default 200 000) with about ten
messages each: customers' messages in `messages`, the bot's and managers' in `outbox`, plus the
tasks, CRM events, managers' answer times and report facts such dialogs leave (spam, thanks and
silence closes, nudges, payment reminders, ratings, late answers). Rows are generated with a
fixed seed and bulk-loaded (sqlite3 executemany; asyncpg COPY), then ANALYZEd. The report is then
built as `chatbot report` builds it, for the whole year and for one month, twice each (cold,
warm). PostgreSQL runs when DATABASE_URL_PG is set (a scratch database is created and dropped).
Prints one JSON line per build and one per load.
Run: .venv/bin/python bench/report.py [--dialogs N] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.service.report import build_report

MSK = ZoneInfo("Europe/Moscow")
YEAR = datetime(2025, 1, 1, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
MANAGERS = ("Ольга", "Пётр", "Анна", "Игорь", "Марина")
CHUNK = 5000  # dialogs per batch of inserts
TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("id", "phone", "name", "lang", "created_at"),
    "dialogs": (
        "id",
        "customer_id",
        "channel",
        "chat_id",
        "stage",
        "closed",
        "close_reason",
        "closed_at",
        "paused",
        "flags",
        "lang",
        "state",
        "version",
        "last_inbound_at",
        "created_at",
        "updated_at",
    ),
    "messages": (
        "id",
        "dialog_id",
        "channel",
        "external_id",
        "direction",
        "author",
        "text",
        "intent",
        "source",
        "confidence",
        "created_at",
    ),
    "outbox": (
        "id",
        "dialog_id",
        "idempotency_key",
        "kind",
        "channel",
        "chat_id",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ),
    "tasks": (
        "id",
        "dialog_id",
        "kind",
        "reason",
        "status",
        "manager",
        "created_at",
        "taken_at",
        "post_to",
    ),
    "crm_events": ("id", "external_id", "dialog_id", "type", "data", "created_at"),
    "manager_responses": ("id", "dialog_id", "manager", "seconds", "breach", "created_at"),
    "dialog_facts": ("id", "dialog_id", "kind", "name", "manager", "value", "created_at"),
}


class Rows:
    """Generated rows per table, with running ids."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
        self.ids = dict.fromkeys(TABLES, 0)

    def add(self, table: str, *values: Any) -> int:
        self.ids[table] += 1
        self.rows[table].append((self.ids[table], *values))
        return self.ids[table]


def _dialog(r: Rows, rnd: random.Random, n: int) -> None:
    """One dialog and what it leaves behind, drawn like a busy shop's mix."""
    at = YEAR + timedelta(days=rnd.randrange(365), minutes=rnd.randrange(9 * 60))
    customer = r.add("customers", f"+7999{n:07d}", f"Клиент {n}", "ru", at)
    spam = rnd.random() < 0.25
    closes: list[tuple[str, datetime]] = []
    d = r.ids["dialogs"] + 1
    t = at
    inbound = 1 if spam else rnd.randint(2, 9)
    for i in range(inbound):
        r.add(
            "messages",
            d,
            "telegram",
            f"{n}-{i}",
            "in",
            "customer",
            "текст",
            "spam" if spam else "other",
            "rules",
            0.9,
            t,
        )
        if not spam:
            r.add(
                "outbox",
                d,
                f"{d}:{i}:0",
                "message",
                "telegram",
                str(n),
                "{}",
                "sent",
                1,
                t,
                t,
                t + timedelta(seconds=rnd.uniform(0.3, 3)),
            )
        t += timedelta(minutes=rnd.randint(1, 30))
    if spam:
        closes.append(("spam", at))
    else:
        r.add("dialog_facts", d, "stage", "menu", None, None, at)
        if rnd.random() < 0.55:  # a task and a manager's answers
            manager = rnd.choice(MANAGERS)
            r.add(
                "tasks", d, "lead", "", "done", manager, at, at + timedelta(minutes=3), "managers"
            )
            for k in range(rnd.randint(1, 4)):
                seconds = rnd.expovariate(1 / 300)
                when = at + timedelta(minutes=5 + 20 * k)
                r.add("manager_responses", d, manager, seconds, seconds > 600, when)
                r.add("dialog_facts", d, "manager_message", "", manager, None, when)
                r.add(
                    "outbox",
                    d,
                    f"{d}:m{k}",
                    "message",
                    "telegram",
                    str(n),
                    "{}",
                    "sent",
                    1,
                    when,
                    when,
                    when,
                )
        if rnd.random() < 0.3:  # an order, paid or reminded
            r.add("crm_events", f"o-{n}", d, "order_created", "{}", t)
            paid = rnd.random() < 0.8
            if rnd.random() < 0.4:
                r.add(
                    "dialog_facts",
                    d,
                    "reminder",
                    "pay_reminder_1",
                    None,
                    None,
                    t + timedelta(days=1),
                )
            if paid:
                r.add("crm_events", f"p-{n}", d, "order_paid", "{}", t + timedelta(days=2))
                if rnd.random() < 0.5:
                    r.add("crm_events", f"d-{n}", d, "order_delivered", "{}", t + timedelta(days=4))
                    r.add(
                        "dialog_facts",
                        d,
                        "rating",
                        "",
                        None,
                        float(rnd.randint(0, 10)),
                        t + timedelta(days=4),
                    )
        if rnd.random() < 0.2:  # thinking: nudges
            for k in range(rnd.randint(1, 2)):
                r.add(
                    "dialog_facts",
                    d,
                    "nudge",
                    f"nudge_{k + 1}",
                    None,
                    None,
                    t + timedelta(days=k + 1),
                )
        roll = rnd.random()
        if roll < 0.15:
            closes.append(("thanks", t))
        elif roll < 0.45:
            closes.append(("no_reply", t + timedelta(days=7)))
    for reason, when in closes:
        r.add("dialog_facts", d, "closed", reason, None, None, when)
    last = closes[-1] if closes else None
    r.add(
        "dialogs",
        customer,
        "telegram",
        str(n),
        "new",
        last is not None,
        last[0] if last else None,
        last[1] if last else None,
        False,
        "",
        "ru",
        "{}",
        1,
        t,
        at,
        t,
    )


def generate(dialogs: int, seed: int = 7) -> Iterator[Rows]:
    """Batches of generated rows, CHUNK dialogs each (ids continue across batches)."""
    rnd = random.Random(seed)
    rows = Rows()
    for n in range(dialogs):
        _dialog(rows, rnd, n)
        if (n + 1) % CHUNK == 0 or n + 1 == dialogs:
            yield rows
            fresh = Rows()
            fresh.ids = rows.ids
            rows = fresh


def _sqlite_value(v: Any) -> Any:
    """What UtcDateTime stores on SQLite: naive UTC text."""
    if isinstance(v, datetime):
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return v


def load_sqlite(path: Path, dialogs: int) -> dict[str, int]:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    counts = dict.fromkeys(TABLES, 0)
    for batch in generate(dialogs):
        for table, columns in TABLES.items():
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            conn.executemany(sql, ([_sqlite_value(v) for v in row] for row in batch.rows[table]))
            counts[table] += len(batch.rows[table])
        conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return counts


async def load_postgres(url: str, dialogs: int) -> dict[str, int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    counts = dict.fromkeys(TABLES, 0)
    try:
        for batch in generate(dialogs):
            for table, columns in TABLES.items():
                await conn.copy_records_to_table(table, records=batch.rows[table], columns=columns)
                counts[table] += len(batch.rows[table])
        for table in TABLES:  # the next inserts' ids continue after the loaded ones
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return counts


async def time_report(url: str, backend: str, dialogs: int) -> None:
    db = Database(url)
    try:
        for label, first, last in (
            ("year", date(2025, 1, 1), date(2025, 12, 31)),
            ("month", date(2025, 6, 1), date(2025, 6, 30)),
        ):
            for run in ("cold", "warm"):
                started = time.perf_counter()
                report = await build_report(db, first, last, MSK)
                seconds = time.perf_counter() - started
                print(
                    json.dumps(
                        {
                            "bench": "report",
                            "backend": backend,
                            "dialogs": dialogs,
                            "period": label,
                            "run": run,
                            "seconds": round(seconds, 2),
                            "period_dialogs": report.figures["dialogs"]["new"],
                        }
                    ),
                    flush=True,
                )
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogs", type=int, default=200_000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    if args.only != "postgres":
        with tempfile.TemporaryDirectory(prefix="chatbot-bench-report-") as folder:
            path = Path(folder) / "report.db"
            url = f"sqlite+aiosqlite:///{path}"
            db = Database(url)
            await upgrade(db)
            await db.dispose()
            started = time.perf_counter()
            counts = load_sqlite(path, args.dialogs)
            _print_load("sqlite", counts, time.perf_counter() - started, path.stat().st_size)
            await time_report(url, "sqlite", args.dialogs)
    pg = os.environ.get("DATABASE_URL_PG")
    if args.only != "sqlite" and pg:
        await _on_postgres(pg, args.dialogs)


async def _on_postgres(admin_url: str, dialogs: int) -> None:
    name = f"chatbot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        db = Database(url)
        await upgrade(db)
        await db.dispose()
        started = time.perf_counter()
        counts = await load_postgres(url, dialogs)
        _print_load("postgres", counts, time.perf_counter() - started, None)
        await time_report(url, "postgres", dialogs)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _print_load(backend: str, counts: dict[str, int], seconds: float, size: int | None) -> None:
    line: dict[str, Any] = {
        "bench": "report_load",
        "backend": backend,
        "rows": counts,
        "messages_in_and_out": counts["messages"] + counts["outbox"],
        "seconds": round(seconds, 1),
    }
    if size is not None:
        line["file_mb"] = round(size / 2**20)
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
