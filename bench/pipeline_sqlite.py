"""Benchmark (b): the full pipeline on SQLite (LLM off) beside its practical ceiling.

Many dialogs at once, as webhooks deliver them: `--dialogs` chats, `--inflight` events being
processed concurrently, so the writes of several events share one commit
(chatbot/db/group_commit.py). A closed loop: each event's latency includes the wait for the
`--inflight` - 1 others (about inflight / throughput), so compare p99 at the same `--inflight`.
The yardstick is the bare loop of one-insert transactions on the raw sqlite3 driver, WAL, in
the same durability mode (`--synchronous`: `full`, the bot's default, where a commit waits for
the disk, or `normal`); the last line's `throughput_ratio_vs_raw_driver` compares the pipeline
with it. For context it also prints the one-insert loop through the pipeline's own write path
(`Database.write_durably`, same concurrency) and through an async-driver session (always
NORMAL). Prints JSON lines.
Run: .venv/bin/python bench/pipeline_sqlite.py [--events N] [--dialogs D] [--inflight K]
     [--synchronous full|normal]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_messages import MESSAGES

from chatbot.core.clock import SystemClock
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import load_admin_files
from chatbot.service.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run_pipeline(db: Database, events: int, dialogs: int, inflight: int) -> dict[str, float]:
    """Push `events` customer messages through the pipeline, `inflight` at a time."""
    flows, rules = load_admin_files(ROOT / "flows")
    pipeline = Pipeline(db, flows, rules, SystemClock())
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(events):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            chat = str(i % dialogs)
            inbound = Inbound(
                "telegram", chat, IncomingText(MESSAGES[(i // dialogs) % len(MESSAGES)]), f"m{i}"
            )
            t0 = time.perf_counter()
            await pipeline.handle(inbound)
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    took = time.perf_counter() - start
    return {
        "events_per_second": round(events / took),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
    }


_PROBE = text("INSERT INTO bench_probe (body) VALUES (:b)")


def _insert(conn: Connection, i: int) -> None:
    conn.execute(_PROBE, {"b": f"row {i}"})


async def run_bare(db: Database, events: int, inflight: int, session: bool) -> dict[str, float]:
    """One INSERT per transaction: through `Database.write_durably`, or an async session.

    Async sessions always commit at synchronous NORMAL: that loop is context, not the ceiling.
    """
    async with db.transaction() as s:
        await s.execute(
            text("CREATE TABLE IF NOT EXISTS bench_probe (id INTEGER PRIMARY KEY, body TEXT)")
        )
    counter = iter(range(events))
    latencies: list[float] = []

    async def worker() -> None:
        for i in counter:
            t0 = time.perf_counter()
            if session:
                async with db.transaction() as s:
                    await s.execute(_PROBE, {"b": f"row {i}"})
            else:
                await db.write_durably(_insert, i)
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    took = time.perf_counter() - start
    return {
        "events_per_second": round(events / took),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
    }


def run_raw_driver(path: Path, events: int, synchronous: str) -> dict[str, float]:
    """The same one-insert transactions, one after another, on a bare sqlite3 connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (id INTEGER PRIMARY KEY, b TEXT)")
        latencies: list[float] = []
        start = time.perf_counter()
        for i in range(events):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO bench_probe (b) VALUES (?)", (f"row {i}",))
            conn.execute("COMMIT")
            latencies.append(time.perf_counter() - t0)
        took = time.perf_counter() - start
    finally:
        conn.close()
    return {
        "events_per_second": round(events / took),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
    }


async def main() -> None:
    """Measure the bare loop and the pipeline on fresh databases, print JSON lines."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--dialogs", type=int, default=200)
    parser.add_argument("--inflight", type=int, default=8)
    parser.add_argument("--synchronous", choices=["full", "normal"], default="full")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare_db = Database(
            f"sqlite+aiosqlite:///{Path(folder) / 'bare.db'}", synchronous=args.synchronous
        )
        await upgrade(bare_db)
        await run_bare(bare_db, 200, args.inflight, session=False)  # warm-up
        bare = await run_bare(bare_db, args.events, args.inflight, session=False)
        via_session = await run_bare(bare_db, args.events, args.inflight, session=True)
        await bare_db.dispose()
        raw = run_raw_driver(Path(folder) / "raw.db", args.events, args.synchronous)
        db = Database(
            f"sqlite+aiosqlite:///{Path(folder) / 'pipeline.db'}", synchronous=args.synchronous
        )
        await upgrade(db)
        pipe = await run_pipeline(db, args.events, args.dialogs, args.inflight)
        await db.dispose()
    common = {
        "events": args.events,
        "dialogs": args.dialogs,
        "inflight": args.inflight,
        "synchronous": args.synchronous,
    }
    print(
        json.dumps(
            {"bench": "bare_one_insert_transactions", "layer": "database_write", **common, **bare}
        )
    )
    print(
        json.dumps(
            {
                "bench": "bare_one_insert_transactions",
                "layer": "async_session",
                **common,
                **via_session,
            }
        )
    )
    print(
        json.dumps(
            {
                "bench": "bare_one_insert_transactions",
                "layer": "sqlite3",
                "events": args.events,
                "inflight": 1,
                "synchronous": args.synchronous,
                **raw,
            }
        )
    )
    print(json.dumps({"bench": "pipeline_sqlite_rules_only", **common, **pipe}))
    rate = pipe["events_per_second"]
    ratios = {
        "throughput_ratio": round(rate / bare["events_per_second"], 3),
        "throughput_ratio_vs_async_session": round(rate / via_session["events_per_second"], 3),
        "throughput_ratio_vs_raw_driver": round(rate / raw["events_per_second"], 3),
    }
    print(json.dumps({"bench": "pipeline_vs_bare", "synchronous": args.synchronous, **ratios}))


if __name__ == "__main__":
    asyncio.run(main())
