"""Benchmark (c): Telegram webhooks through `chatbot run` to the Bot API, beside a bare echo bot.

A fake Bot API (aiohttp) runs in this process. `chatbot run` runs in webhook mode as a child
process (SQLite in a temporary folder, LLM off, the shipped flows with the shop always open so
the replies do not depend on the hour). Customers, each with their own chat id, POST updates to
/telegram/webhook with the secret header; every sendMessage that reaches the fake is matched to
the message it answers (a customer writes again only after the reply, so there is one message
in flight per chat). The customers follow short scripts in which every message gets exactly one
reply: a greeting or a question first (the dialog is created and the menu shown), then menu
choices and details, "I'll think about it" and questions.

The same harness then drives a bare aiogram echo bot (Dispatcher + SimpleRequestHandler, one
sendMessage per message, answered in the background) against the same fake: the ceiling.

Configurations: an open-loop run at `--rate` messages per second, and a closed-loop run with
`--concurrency` customers writing as fast as replies come (the maximum throughput). Latency is
from the POST to the reply's sendMessage arriving at the fake; `ack` is the webhook's own answer.
Prints one JSON line per configuration.

`--burst` measures something else instead: `--customers` new customers, one first message each
at `--rate`, off hours (bench/webhook_burst.py), `--repeat` times; p50/p99/max to the first reply.
Run: .venv/bin/python bench/e2e_webhook.py [--rate 100] [--seconds 10] [--concurrency 40]
     [--api-latency MS] [--only chatbot|echo] [--py-spy FILE.svg|FILE.txt] (pip install py-spy)
     .venv/bin/python bench/e2e_webhook.py --burst [--customers 1000] [--rate 100] [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from bench_kit import ROOT, always_open_flows, cpu_seconds, customer_update, free_port, percentile

TOKEN = "123456:BENCH-token_for-the-fake-api"
SECRET = "bench-webhook-secret"
WEBHOOK = "/telegram/webhook"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Shop", "username": "shop_bench_bot"}
# Every message of these scripts gets exactly one reply from the shipped flows (checked with
# `chatbot simulate`); about a third of all messages open a dialog.
SCRIPTS = (
    ("Здравствуйте", "1", "хочу заказать шары на день рождения дочки, 15 штук"),
    ("Добрый день", "2", "номер 4411"),
    ("Здравствуйте", "спасибо, я подумаю", "а сколько будет стоить доставка в Реутов?"),
    ("а гелий сколько держится?", "Спасибо, я подумаю"),
)
REPLY_TIMEOUT = 15.0  # a reply later than this counts as missing
MAX_CONNECTIONS = 40  # Telegram's default max_connections for a webhook


class FakeBotApi:
    """The Bot API methods both bots call; reports each sendMessage to `on_reply`."""

    def __init__(self, on_reply: Callable[[str], None], latency: float = 0.0) -> None:
        self.on_reply = on_reply
        self.latency = latency
        self.message_ids = itertools.count(1)
        self.webhook_set = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        """Listen on a free port."""
        application = web.Application()
        application.router.add_post("/bot{token}/{method}", self.dispatch)
        self.runner = web.AppRunner(application, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        """Stop listening."""
        if self.runner is not None:
            await self.runner.cleanup()

    async def dispatch(self, request: web.Request) -> web.Response:
        """Answer one Bot API call."""
        method = request.match_info["method"]
        params = dict(await request.post())
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method == "setWebhook":
            self.webhook_set.set()
        elif method == "sendMessage":
            chat_id = str(params["chat_id"])
            self.on_reply(chat_id)
            if self.latency:
                await asyncio.sleep(self.latency)  # the answer's way back from Telegram
            chat = {"id": int(chat_id), "type": "private", "first_name": "Customer"}
            text = str(params.get("text", ""))
            result = {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": text,
            }
        return web.json_response({"ok": True, "result": result})


@dataclass
class Customer:
    """One chat following one script."""

    chat_id: int
    script: tuple[str, ...]
    sent: int = 0


@dataclass
class Run:
    """Figures of one configuration."""

    latencies: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    sent: int = 0
    first_messages: int = 0
    errors: int = 0
    unexpected: int = 0
    started: float = 0.0
    last_reply: float = 0.0


class Harness:
    """Customers POSTing updates and waiting for their replies at the fake Bot API."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http = http
        self.url = url
        self.chat_ids = itertools.count(10_000_000)
        self.update_ids = itertools.count(1)
        self.scripts = itertools.cycle(SCRIPTS)
        self.waiting: dict[str, tuple[Customer, asyncio.Future[float]]] = {}
        self.run = Run()

    def on_reply(self, chat_id: str) -> None:
        """A sendMessage arrived: complete the chat's waiting message."""
        entry = self.waiting.pop(chat_id, None)
        if entry is None or entry[1].done():
            self.run.unexpected += 1
            return
        entry[1].set_result(time.perf_counter())

    def new_customer(self) -> Customer:
        """A customer nobody has seen yet, with the next script."""
        return Customer(next(self.chat_ids), next(self.scripts))

    async def say(self, customer: Customer) -> bool:
        """Post the customer's next message and wait for its reply; False if none came."""
        text = customer.script[customer.sent]
        customer.sent += 1
        run = self.run
        run.sent += 1
        run.first_messages += customer.sent == 1
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        key = str(customer.chat_id)
        self.waiting[key] = (customer, future)
        update = customer_update(
            next(self.update_ids), customer.chat_id, customer.sent, text, int(time.time())
        )
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        posted = time.perf_counter()
        try:
            async with self.http.post(self.url, json=update, headers=headers) as response:
                await response.read()
                ok = response.status == 200
        except aiohttp.ClientError:
            ok = False
        run.acks.append(time.perf_counter() - posted)
        if not ok:
            run.errors += 1
            self.waiting.pop(key, None)
            return False
        try:
            replied = await asyncio.wait_for(future, REPLY_TIMEOUT)
        except TimeoutError:
            self.waiting.pop(key, None)
            return False
        run.latencies.append(replied - posted)
        run.last_reply = max(run.last_reply, replied)
        return True

    async def at_rate(self, rate: float, seconds: float) -> Run:
        """Open loop: a message every 1/rate s, from an idle customer or a new one."""
        self.run = Run(started=time.perf_counter())
        idle: deque[Customer] = deque()
        tasks: set[asyncio.Task[None]] = set()

        async def one(customer: Customer) -> None:
            if await self.say(customer) and customer.sent < len(customer.script):
                idle.append(customer)

        start = self.run.started
        for i in range(round(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(idle.popleft() if idle else self.new_customer()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        return self.run

    async def flat_out(self, concurrency: int, seconds: float) -> Run:
        """Closed loop: `concurrency` customers at a time, each writing again on the reply."""
        self.run = Run(started=time.perf_counter())
        until = self.run.started + seconds

        async def worker() -> None:
            while time.perf_counter() < until:
                customer = self.new_customer()
                while customer.sent < len(customer.script) and time.perf_counter() < until:
                    if not await self.say(customer):
                        break

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return self.run


def figures(name: str, mode: str, rate: float | None, run: Run, cpu: float) -> dict[str, Any]:
    """One JSON line's worth of a run."""
    took = max(run.last_reply - run.started, 1e-9)
    lat = run.latencies or [float("nan")]
    return {
        "bench": "e2e_webhook",
        "name": name,
        "mode": mode,
        "rate": rate,
        "sent": run.sent,
        "replied": len(run.latencies),
        "errors": run.errors,
        "unexpected_replies": run.unexpected,
        "first_messages": round(run.first_messages / max(run.sent, 1), 2),
        "msg_per_s": round(len(run.latencies) / took, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "ack_p50_ms": round(percentile(run.acks, 50) * 1000, 1),
        "ack_p99_ms": round(percentile(run.acks, 99) * 1000, 1),
        "bot_cpu_pct": round(100 * cpu / took),
    }


async def start_chatbot(
    folder: Path, api: FakeBotApi, port: int, flows: Path | None = None
) -> asyncio.subprocess.Process:
    """`chatbot run` in webhook mode on a fresh SQLite file, its log in the folder.

    The flows are the shipped ones with the shop always open, unless `flows` says otherwise.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        "FLOWS_DIR": str(flows or always_open_flows(folder)),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
    }
    with (folder / "chatbot.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chatbot.cli",
            "run",
            env=env,
            cwd=folder,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )


async def start_echo(api: FakeBotApi, port: int) -> asyncio.subprocess.Process:
    """The bare aiogram echo bot (this file with --echo-bot) as a child process."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--echo-bot",
        str(port),
        api.base,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL,
    )


async def wait_until_up(http: aiohttp.ClientSession, url: str, ready: Awaitable[Any]) -> None:
    """Wait until the webhook URL answers HTTP and `ready` is done (at most 120 s)."""
    async with asyncio.timeout(120):
        while True:
            try:
                async with http.get(url) as response:
                    await response.read()
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.2)
        await ready


Starter = Callable[[FakeBotApi, int], Awaitable[asyncio.subprocess.Process]]


async def measure(
    name: str, start: Starter, args: argparse.Namespace, needs_webhook: bool
) -> list[dict[str, Any]]:
    """Run the warm-up, the rate and the flat-out configurations against one bot."""
    harness: Harness | None = None

    def on_reply(chat_id: str) -> None:
        if harness is not None:
            harness.on_reply(chat_id)

    api = FakeBotApi(on_reply, args.api_latency / 1000)
    await api.start()
    port = free_port()
    process = await start(api, port)
    connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS)
    lines = []
    spy: asyncio.subprocess.Process | None = None
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            url = f"http://127.0.0.1:{port}{WEBHOOK}"
            ready = api.webhook_set.wait() if needs_webhook else asyncio.sleep(0)
            await wait_until_up(http, url, ready)
            harness = Harness(http, url)
            await harness.flat_out(args.concurrency, 2.0)  # warm-up, not reported
            if args.py_spy and needs_webhook:
                kind = "flamegraph" if args.py_spy.endswith(".svg") else "raw"  # raw: folded
                spy = await asyncio.create_subprocess_exec(
                    str(Path(sys.executable).with_name("py-spy")),
                    "record",
                    "--pid",
                    str(process.pid),
                    "--output",
                    args.py_spy,
                    "--format",
                    kind,
                    "--gil",
                    "--nonblocking",
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            before = cpu_seconds(process.pid)
            run = await harness.at_rate(args.rate, args.seconds)
            lines.append(figures(name, "rate", args.rate, run, cpu_seconds(process.pid) - before))
            before = cpu_seconds(process.pid)
            run = await harness.flat_out(args.concurrency, args.seconds)
            line = figures(name, "max", None, run, cpu_seconds(process.pid) - before)
            lines.append(line | {"concurrency": args.concurrency})
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            await spy.wait()
        if process.returncode is None:
            process.terminate()
        await process.wait()
        await api.close()
    return lines


async def main(args: argparse.Namespace) -> None:
    """Echo first (the ceiling), then chatbot run; print one JSON line per configuration."""
    if args.burst:
        from webhook_burst import one_burst

        for _ in range(args.repeat):
            print(json.dumps(await one_burst(args)), flush=True)
        return
    echo = ours = []
    if args.only in (None, "echo"):
        echo = await measure("aiogram_echo", start_echo, args, needs_webhook=False)
    if args.only in (None, "chatbot"):
        with tempfile.TemporaryDirectory() as folder:

            async def chatbot(api: FakeBotApi, port: int) -> asyncio.subprocess.Process:
                return await start_chatbot(Path(folder), api, port)

            ours = await measure("chatbot_run", chatbot, args, needs_webhook=True)
    for line in echo:
        print(json.dumps(line | {"ratio_to_echo": 1.0}))
    for n, line in enumerate(ours):
        ceiling = echo[n]["msg_per_s"] if echo else None
        ratio = round(line["msg_per_s"] / ceiling, 3) if ceiling else None
        print(json.dumps(line | {"ratio_to_echo": ratio}))


def serve_echo(port: int, api_base: str) -> None:
    """A bare aiogram echo bot: webhook handler in, one sendMessage per message out."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    application = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=SECRET).register(
        application, path=WEBHOOK
    )
    setup_application(application, dispatcher, bot=bot)
    web.run_app(application, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--echo-bot":
        serve_echo(int(sys.argv[2]), sys.argv[3])
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--concurrency", type=int, default=40, help="customers in the max run")
    parser.add_argument(
        "--api-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="how long each sendMessage answer takes",
    )
    parser.add_argument("--only", choices=["chatbot", "echo"], help="measure one bot only")
    parser.add_argument("--py-spy", metavar="FILE", help="record a py-spy flame graph of chatbot")
    parser.add_argument(
        "--burst",
        action="store_true",
        help="new customers' first messages, off hours (bench/webhook_burst.py)",
    )
    parser.add_argument("--customers", type=int, default=1000, help="customers in a burst")
    parser.add_argument("--repeat", type=int, default=1, help="bursts, each on a fresh bot")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
