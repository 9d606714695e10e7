"""Benchmark (c, burst): a wave of customers who never wrote before, off hours, one message each.

`bench/e2e_webhook.py --burst` runs it: `chatbot run` in webhook mode on a fresh SQLite file,
the shipped flows with today a holiday (so every first message gets the off-hours note and the
menu: a new customer, a new dialog and two outbox rows per message). `--customers` distinct
chats each POST one first message, paced open-loop at `--rate` messages per second. Latency is
from the POST to the first sendMessage of that chat at the fake Bot API. Prints one JSON line
per repetition (`--repeat`), each on a fresh process and database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import e2e_webhook as e2e
from bench_kit import cpu_seconds, free_port, percentile

WARM_UP = 50  # customers before the measured burst (imports, caches), not reported


def off_hours_flows(folder: Path) -> Path:
    """flows/ with yesterday, today and tomorrow holidays: off hours wherever the clock is."""
    target = folder / "flows"
    shutil.copytree(e2e.ROOT / "flows", target)
    shop = target / "shop.yaml"
    today = datetime.now(UTC).date()
    days = ", ".join(str(today + timedelta(days=d)) for d in (-1, 0, 1))
    text = re.sub(r"(?m)^(\s+holidays:) \[.*\]$", rf"\1 [{days}]", shop.read_text(encoding="utf-8"))
    shop.write_text(text, encoding="utf-8")
    return target


@dataclass
class Burst:
    """Figures of one burst: when each chat's message was posted and first answered."""

    posted: dict[str, float] = field(default_factory=dict)
    first_reply: dict[str, float] = field(default_factory=dict)
    replies: int = 0
    acks: list[float] = field(default_factory=list)
    errors: int = 0
    answered: dict[str, asyncio.Event] = field(default_factory=dict)

    def on_reply(self, chat_id: str) -> None:
        """A sendMessage reached the fake: the first one of a chat stops its clock."""
        self.replies += 1
        if chat_id in self.posted and chat_id not in self.first_reply:
            self.first_reply[chat_id] = time.perf_counter()
            self.answered[chat_id].set()


async def post_first_message(
    http: aiohttp.ClientSession, url: str, burst: Burst, chat_id: int, update_id: int
) -> None:
    """One new customer's first message; waits for its first reply (or the timeout)."""
    key = str(chat_id)
    burst.answered[key] = asyncio.Event()
    user = {"id": chat_id, "is_bot": False, "first_name": "Анна", "language_code": "ru"}
    update = {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Анна"},
            "text": "Здравствуйте",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": e2e.SECRET}
    posted = burst.posted[key] = time.perf_counter()
    try:
        async with http.post(url, json=update, headers=headers) as response:
            await response.read()
            ok = response.status == 200
    except aiohttp.ClientError:
        ok = False
    burst.acks.append(time.perf_counter() - posted)
    if not ok:
        burst.errors += 1
        return
    with contextlib.suppress(TimeoutError):  # a missing reply is counted as missing
        await asyncio.wait_for(burst.answered[key].wait(), e2e.REPLY_TIMEOUT)


async def send_burst(
    http: aiohttp.ClientSession,
    url: str,
    burst: Burst,
    chats: itertools.count[int],
    customers: int,
    rate: float,
) -> float:
    """Post `customers` first messages at `rate` per second (open loop); the seconds it took."""
    tasks = []
    start = time.perf_counter()
    for i in range(customers):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post_first_message(http, url, burst, next(chats), i + 1)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - start


def burst_figures(burst: Burst, customers: int, rate: float, took: float, cpu: float) -> Any:
    """One JSON line's worth of a burst."""
    lat = [burst.first_reply[c] - burst.posted[c] for c in burst.first_reply] or [float("nan")]
    return {
        "bench": "e2e_webhook",
        "name": "chatbot_run",
        "mode": "burst",
        "rate": rate,
        "customers": customers,
        "replied": len(burst.first_reply),
        "errors": burst.errors,
        "send_message_calls": burst.replies,
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat) * 1000, 1),
        "ack_p50_ms": round(percentile(burst.acks, 50) * 1000, 1),
        "ack_p99_ms": round(percentile(burst.acks, 99) * 1000, 1),
        "bot_cpu_pct": round(100 * cpu / max(took, 1e-9)),
    }


async def one_burst(args: argparse.Namespace) -> dict[str, Any]:
    """A fresh `chatbot run`, a short warm-up, then the measured burst."""
    current = [Burst()]  # the burst the fake reports replies to
    api = e2e.FakeBotApi(lambda chat_id: current[0].on_reply(chat_id), args.api_latency / 1000)
    await api.start()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        port = free_port()
        process = await e2e.start_chatbot(folder, api, port, off_hours_flows(folder))
        try:
            connector = aiohttp.TCPConnector(limit=e2e.MAX_CONNECTIONS)
            async with aiohttp.ClientSession(connector=connector) as http:
                url = f"http://127.0.0.1:{port}{e2e.WEBHOOK}"
                await e2e.wait_until_up(http, url, api.webhook_set.wait())
                chats = itertools.count(20_000_000)
                await send_burst(http, url, current[0], chats, WARM_UP, args.rate)
                await asyncio.sleep(1.0)  # the warm-up's second replies go out
                burst = current[0] = Burst()
                before = cpu_seconds(process.pid)
                took = await send_burst(http, url, burst, chats, args.customers, args.rate)
                cpu = cpu_seconds(process.pid) - before
        finally:
            if process.returncode is None:
                process.terminate()
            await process.wait()
            await api.close()
    return burst_figures(burst, args.customers, args.rate, took, cpu)
