"""Benchmark: how long `chatbot run` takes to exit on SIGTERM under load, and what it lost.

A fake Bot API (tests/channels/fake_bot_api.py) runs in this process; `chatbot run` runs as a
child process on SQLite in a temporary folder (LLM off, the shipped flows with the shop always
open). It is put under load, then sent SIGTERM, and the time until it exits is measured.

- `webhook`: `--concurrency` customers POST updates to /telegram/webhook back to back; each
  200 is an acknowledgement.
- `polling`: updates are queued at the fake continuously; the bot long-polls with Telegram's
  usual timeout (the fake holds getUpdates for it while nothing is queued). An update is
  acknowledged once a getUpdates offset passed it.

`--api-latency MS` delays every sendMessage answer; `--hang-sends` makes the fake accept
sendMessage and never answer (an API that stopped responding: the sender's requests hang).
After the exit, every acknowledged update must have its message row (`lost` counts those
without one). Prints one JSON line.
Run: .venv/bin/python bench/shutdown.py [--mode webhook|polling] [--load-seconds 3]
     [--concurrency 20] [--api-latency MS] [--hang-sends] [--second-signal-after S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from bench_kit import ROOT, always_open_flows, customer_update, free_port

sys.path.insert(0, str(ROOT))

from tests.channels.fake_bot_api import HOLD, TOKEN, FakeBotApi, stall

SECRET = "bench-webhook-secret"
WEBHOOK = "/telegram/webhook"


TEXTS = (
    "Здравствуйте",
    "1",
    "хочу заказать шары на день рождения дочки, 15 штук",
    "спасибо, я подумаю",
    "а сколько будет стоить доставка в Реутов?",
)


class Run:
    """One `chatbot run` child process and the load put on it."""

    def __init__(self, args: argparse.Namespace, folder: Path, api: FakeBotApi) -> None:
        self.args = args
        self.folder = folder
        self.api = api
        self.port = free_port()
        self.database = folder / "bot.db"
        self.acked: set[str] = set()  # "chat:message_id" of acknowledged updates
        self.statuses: dict[str, int] = {}
        self.stopping = False
        self.process: asyncio.subprocess.Process | None = None
        self.pushed: list[dict[str, Any]] = []  # updates queued at the fake, with their ids

    def env(self) -> dict[str, str]:
        """The child's settings."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            "FLOWS_DIR": str(always_open_flows(self.folder)),
            "PROMPTS_DIR": str(ROOT / "prompts"),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": self.api.base,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
        }
        if self.args.mode == "webhook":
            env |= {
                "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
            }
        return env

    async def start(self, http: aiohttp.ClientSession) -> None:
        """Start the child and wait until it serves."""
        with (self.folder / "run.log").open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "chatbot.cli",
                "run",
                env=self.env(),
                cwd=self.folder,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        for _ in range(600):
            if self.process.returncode is not None:
                raise SystemExit(f"chatbot run exited: {self.log()}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    ready = (
                        self.api.webhook
                        if self.args.mode == "webhook"
                        else self.api.requested("getUpdates")
                    )
                    if response.status == 200 and ready:
                        return
            await asyncio.sleep(0.1)
        raise SystemExit("chatbot run did not come up")

    def log(self) -> str:
        """The child's stderr."""
        return (self.folder / "run.log").read_text(encoding="utf-8", errors="replace")

    async def customer(
        self, http: aiohttp.ClientSession, chat: int, ids: itertools.count[int]
    ) -> None:
        """POST this customer's messages one after another until the server goes away."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        url = f"http://127.0.0.1:{self.port}{WEBHOOK}"
        for message_id in itertools.count(1):
            body = customer_update(next(ids), chat, message_id, TEXTS[message_id % len(TEXTS)])
            key = f"{chat}:{message_id}"
            try:
                async with http.post(url, data=json.dumps(body), headers=headers) as response:
                    await response.read()
                    self.statuses[key] = response.status
                    if response.status == 200:
                        self.acked.add(key)
            except (TimeoutError, aiohttp.ClientError):
                if self.stopping:
                    return
                await asyncio.sleep(0.01)

    async def feed(self) -> None:
        """Queue updates at the fake for the poller, a few per 10 ms, until cancelled."""
        for n in itertools.count(1):
            chat = 500_000 + n % self.args.concurrency
            data = customer_update(0, chat, n, TEXTS[n % len(TEXTS)])
            self.pushed.append({**data, "update_id": self.api.push(data)})
            await asyncio.sleep(0.01)

    def polled_acks(self) -> set[str]:
        """Updates a getUpdates offset confirmed (the fake dropped them)."""
        pending = {u["update_id"] for u in self.api.pending}
        return {
            f"{u['message']['chat']['id']}:{u['message']['message_id']}"
            for u in self.pushed
            if u["update_id"] not in pending
        }

    def stored(self) -> set[str]:
        """Inbound messages in the database, as "chat:message_id"."""
        with contextlib.closing(sqlite3.connect(self.database)) as conn:
            rows = conn.execute("SELECT external_id FROM messages WHERE direction = 'in'")
            return {str(r[0]) for r in rows}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the child, load it, SIGTERM it, and report."""
    api = FakeBotApi(poll_wait_cap=float(args.poll_timeout))
    await api.start()
    if args.hang_sends:
        api.fail("sendMessage", *[HOLD] * 100_000)
    elif args.api_latency:
        api.fail("sendMessage", *[stall(args.api_latency / 1000)] * 100_000)
    folder = Path(tempfile.mkdtemp(prefix="chatbot-shutdown-"))
    run = Run(args, folder, api)

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
            await run.start(http)
            assert run.process is not None
            ids = itertools.count(1)
            if args.mode == "webhook":
                load = [
                    asyncio.create_task(run.customer(http, 600_000 + n, ids))
                    for n in range(args.concurrency)
                ]
            else:
                load = [asyncio.create_task(run.feed())]
            await asyncio.sleep(args.load_seconds)
            sends_before = len(api.requested("sendMessage"))
            run.stopping = True
            started, signalled = time.perf_counter(), time.time()
            run.process.send_signal(signal.SIGTERM)
            if args.second_signal_after is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(run.process.wait(), args.second_signal_after)
                if run.process.returncode is None:
                    run.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(run.process.wait(), timeout=120)
            seconds = time.perf_counter() - started
            for task in load:
                task.cancel()
            await asyncio.gather(*load, return_exceptions=True)
    finally:
        await api.close()
    acked = run.acked if args.mode == "webhook" else run.polled_acks()
    stored = run.stored()
    log = run.log()
    result = {
        "bench": "shutdown",
        "mode": args.mode,
        "seconds": round(seconds, 3),
        "exit_code": run.process.returncode,
        "acked": len(acked),
        "stored": len(stored),
        "lost": len(acked - stored),
        "not_acked_statuses": sorted({s for s in run.statuses.values() if s != 200}),
        "sends_during_load": sends_before,
        "api_latency_ms": args.api_latency,
        "hang_sends": args.hang_sends,
        # When the child logged its shutdown's start and end, counted from the signal.
        "child_seconds": {name: round(at - signalled, 3) for name, at in logged_at(log).items()},
        "shutdown_log": [line[:300] for line in log.splitlines() if "shutdown_" in line][-3:],
    }
    if args.keep:
        result["folder"] = str(folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def logged_at(log: str) -> dict[str, float]:
    """Wall-clock times of the child's shutdown lines, by message."""
    found = {}
    for match in re.finditer(r"time=(\S+) level=\S+ logger=\S+ msg=runtime\.(shutdown_\w+)", log):
        found[match.group(2)] = datetime.fromisoformat(match.group(1)).timestamp()
    return found


def main() -> None:
    """Parse the options, measure once, print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("webhook", "polling"), default="webhook")
    parser.add_argument("--load-seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--api-latency", type=float, default=0.0, help="ms per sendMessage")
    parser.add_argument("--hang-sends", action="store_true")
    parser.add_argument("--poll-timeout", type=float, default=25.0)
    parser.add_argument("--second-signal-after", type=float, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    print(json.dumps(asyncio.run(measure(parser.parse_args())), ensure_ascii=False))


if __name__ == "__main__":
    main()
