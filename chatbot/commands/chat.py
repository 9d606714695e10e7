"""`chatbot chat`: talk to the bot as a customer in the terminal, with a movable clock."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from chatbot.channels.console import CHANNEL, ConsoleSender, trace_lines
from chatbot.config import Settings
from chatbot.core.clock import SystemClock, VirtualClock
from chatbot.core.durations import parse_duration
from chatbot.core.events import (
    CRM_EVENTS,
    Blocked,
    CrmEvent,
    Event,
    ManagerAction,
    ManagerMessage,
    Unblocked,
)
from chatbot.core.untrusted import clean_text
from chatbot.db.dialogs import count_other_dialogs
from chatbot.errors import FlowError
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from chatbot.service.app import App, open_app
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Outcome
from chatbot.service.scheduler import Scheduler, advance_clock

HELP = """commands:
  any text               write to the bot as the customer (a menu number picks an option)
  /wait 25h              move the clock (s, m, h, d; 1d2h) and fire due timers
  /event TYPE k=v ...    a shop event, e.g. /event order_created order_id=A-1 amount=2500
  /manager TEXT          a manager writes to the customer
  /take  /done  /return  a manager takes the task, finishes it, returns the dialog to the bot
  /block  /unblock       the customer blocks or unblocks the bot
  /time                  show the virtual clock
  /help  /quit"""


class ChatSession:
    """One terminal conversation; `handle` turns an input line into output lines."""

    def __init__(self, app: App, clock: VirtualClock, chat_id: str, name: str, color: bool):
        self.app = app
        self.clock = clock
        self.chat_id = chat_id
        self.customer = CustomerInfo(name=name)
        self.color = color
        self.tz = ZoneInfo(app.flows.shop.timezone)
        self.out: list[str] = []
        # The database may be a server's: the clock fires, and the sender sends, this chat's
        # own timers and messages alone, never those of real customers.
        self.only = (CHANNEL, chat_id)
        self.scheduler = Scheduler(app.pipeline, only=self.only)
        self.sender = OutboxSender(
            app.db,
            {CHANNEL: ConsoleSender(self.out.append)},
            clock,
            composer=app.personaliser(),
            only=self.only,
        )

    async def notice(self) -> str | None:
        """The line saying the database holds other dialogs, which this chat leaves alone."""
        others = await self.app.db.read(count_other_dialogs, *self.only)
        if not others:
            return None
        held = f"this database holds {others} other dialog{'' if others == 1 else 's'}"
        return f"{held}; this chat's clock and messages touch only {CHANNEL}:{self.chat_id}"

    async def handle(self, line: str) -> list[str]:
        """Process one line of input; returns what to print."""
        self.out.clear()
        line = clean_text(line.strip())  # a terminal can hand NUL or undecodable bytes too
        if not line:
            return []
        if line.startswith("/"):
            await self._command(line)
        else:
            payload = IncomingText(line)
            await self._send(
                Inbound(CHANNEL, self.chat_id, payload, uuid.uuid4().hex, self.customer)
            )
        return list(self.out)

    async def _command(self, line: str) -> None:
        try:
            name, *args = shlex.split(line)
        except ValueError as exc:
            self.out.append(f"cannot read the command: {exc}")
            return
        handlers: dict[str, Callable[[list[str]], Event | None]] = {
            "/event": self._event,
            "/manager": lambda a: ManagerMessage(" ".join(a)) if a else None,
            "/take": lambda a: ManagerAction("take"),
            "/done": lambda a: ManagerAction("done"),
            "/return": lambda a: ManagerAction("return_to_bot"),
            "/block": lambda a: Blocked(),
            "/unblock": lambda a: Unblocked(),
        }
        if name == "/wait":
            await self._wait(args)
        elif name == "/time":
            self.out.append(f"clock: {self.clock.now().astimezone(self.tz):%a %d.%m.%Y %H:%M}")
        elif name in ("/help", "/?"):
            self.out.append(HELP)
        elif name in handlers:
            event = handlers[name](args)
            if event is None:
                self.out.append(f"{name} needs more: see /help")
                return
            await self._send(Inbound(CHANNEL, self.chat_id, event, None, self.customer))
        else:
            self.out.append(f"unknown command {name}: see /help")

    def _event(self, args: list[str]) -> Event | None:
        if not args or args[0] not in CRM_EVENTS:
            self.out.append(f"event types: {', '.join(CRM_EVENTS)}")
            return None
        data = dict(a.split("=", 1) for a in args[1:] if "=" in a)
        return CrmEvent(args[0], data)

    async def _wait(self, args: list[str]) -> None:
        try:
            delta = parse_duration(args[0] if args else "")
        except ValueError as exc:
            self.out.append(str(exc))
            return
        for outcome in await advance_clock(self.clock, self.scheduler, delta):
            await self._show(outcome)
        self.out.append(f"clock: {self.clock.now().astimezone(self.tz):%a %d.%m.%Y %H:%M}")

    async def _send(self, inbound: Inbound) -> None:
        await self._show(await self.app.pipeline.handle(inbound))

    async def _show(self, outcome: Outcome) -> None:
        self.out.extend(trace_lines(outcome.trace, self.color, self.tz))
        await self.sender.deliver_pending()


def register(p: argparse.ArgumentParser) -> None:
    """Add the `chat` arguments."""
    p.add_argument("--chat-id", default="local", help="the console dialog to continue")
    p.add_argument("--name", default="", help="the customer's name")
    p.add_argument("--no-color", action="store_true", help="plain trace lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the terminal conversation."""
    color = sys.stdout.isatty() and not args.no_color
    # Which migrations ran is a server's news; in the chat it only pushes the dialog aside.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return asyncio.run(_chat(Settings(), args.chat_id, args.name, color))


async def _chat(settings: Settings, chat_id: str, name: str, color: bool) -> int:
    clock = VirtualClock(SystemClock().now())
    try:
        app = await open_app(settings, clock)
    except FlowError as exc:
        print(f"chatbot: refusing to start: the admin files are invalid:\n{exc}", file=sys.stderr)
        return 1
    session = ChatSession(app, clock, chat_id, name, color)
    print(f"chatting as a customer of «{app.flows.shop.name}» (/help for commands, /quit to end)")
    try:
        notice = await session.notice()
        if notice is not None:
            print(notice)
        while True:
            try:
                line = await asyncio.to_thread(input, "you> ")
            except EOFError:
                break
            if line.strip() in ("/quit", "/exit"):
                break
            for out in await session.handle(line):
                print(out)
    finally:
        await app.close()
    return 0
