"""Nudges through the real pipeline, scheduler and outbox, rewritten by a real openai client.

A timer fires, the outbox asks the fake server for a rewrite right before sending, the guard
decides, and the outbox row records what was sent and why.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.db.tables import MessageRow, OutboxRow
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from chatbot.ports.outbound import OutgoingMessage, SendFailed
from chatbot.service.app import load_admin_files, open_app
from chatbot.service.outbox import OutboxSender
from chatbot.service.personaliser import Personaliser
from chatbot.service.pipeline import Pipeline
from chatbot.service.runtime import Runtime
from chatbot.service.scheduler import Scheduler, advance_clock
from tests.conftest import ROOT
from tests.llm import fake_openai as f
from tests.llm.conftest import DEADLINE, MakeWriter
from tests.llm.fake_openai import FakeOpenAI

START = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))
NUDGE_1 = (
    "Здравствуйте, Анна! Вы присматривались к заказу в «Шарики и праздник». "
    "Подсказать по цене, срокам или доставке?"
)
NUDGE_2 = "Мы очень ждём ваш ответ! Если что-то смущает — напишите, подберём вариант."
ANNA = CustomerInfo(name="Анна", phone="+79990001122")
REWRITE = "Анна, добрый день! Шарики на выпускной ещё нужны? Подскажем по срокам и доставке."


class Recorder:
    """A channel port that keeps what it delivers, failing first when told to."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []
        self.failures: list[SendFailed] = []

    async def send(self, message: OutgoingMessage) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)

    def texts(self) -> list[str]:
        return [str(m.body.text) for m in self.sent]


class Bot:
    """The running parts around one dialog of a customer named Анна."""

    def __init__(
        self, db: Database, admin: tuple[FlowSet, RulesFn], composer: Personaliser | None
    ) -> None:
        flows, rules = admin
        self.clock = VirtualClock(START)
        self.pipeline = Pipeline(db, flows, rules, self.clock)
        self.scheduler = Scheduler(self.pipeline)
        self.port = Recorder()
        self.outbox = OutboxSender(db, {"telegram": self.port}, self.clock, composer=composer)
        self.ids = 0

    async def say(self, text: str) -> None:
        self.ids += 1
        await self.pipeline.handle(
            Inbound("telegram", "42", IncomingText(text), f"m{self.ids}", ANNA)
        )
        await self.outbox.deliver_pending()

    async def wait(self, delta: timedelta) -> None:
        await advance_clock(self.clock, self.scheduler, delta)
        await self.outbox.deliver_pending()

    async def rows(self) -> list[dict[str, Any]]:
        async with self.pipeline.db.snapshot() as s:
            rows = await s.execute(
                select(OutboxRow.payload, OutboxRow.status)
                .where(OutboxRow.kind == "message")
                .order_by(OutboxRow.id)
            )
            return [{**payload, "status": status} for payload, status in rows]

    async def sent_messages(self) -> list[str]:
        async with self.pipeline.db.snapshot() as s:
            rows = await s.execute(
                select(MessageRow.text).where(MessageRow.direction == "out").order_by(MessageRow.id)
            )
            return list(rows.scalars())


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    return load_admin_files(ROOT / "flows", ROOT / "prompts")


@pytest.fixture
async def bot(db: Database, admin: tuple[FlowSet, RulesFn], make_writer: MakeWriter) -> Bot:
    writer = await make_writer()
    return Bot(db, admin, Personaliser(db, writer, shop=admin[0].shop.name))


async def thinking(bot: Bot) -> None:
    await bot.say("Здравствуйте, смотрю шарики на выпускной, 30 штук")
    await bot.say("Спасибо, я подумаю")


async def test_a_clean_rewrite_is_sent_and_recorded(bot: Bot, fake: FakeOpenAI) -> None:
    await thinking(bot)
    assert fake.requests == []  # only marked replies are rewritten
    fake.default = f.text(REWRITE)
    await bot.wait(timedelta(hours=25))
    assert bot.port.texts()[-1] == REWRITE
    nudge = (await bot.rows())[-1]
    assert nudge["key"] == "nudge_1"
    assert (nudge["status"], nudge["text"], nudge["template_text"]) == ("sent", REWRITE, NUDGE_1)
    assert (nudge["personalised"], nudge["fallback"]) == (True, None)
    assert (await bot.sent_messages())[-1] == REWRITE
    [body] = fake.requests
    prompt = f.user_text(body)
    assert NUDGE_1 in prompt
    assert "Customer: Здравствуйте, смотрю шарики на выпускной, 30 штук" in prompt
    assert "Shop: Конечно, подумайте." in prompt  # the bot's own messages, as sent


async def test_the_second_nudge_is_rewritten_too(bot: Bot, fake: FakeOpenAI) -> None:
    await thinking(bot)
    fake.default = f.text(REWRITE)
    await bot.wait(timedelta(hours=25))
    fake.default = f.text("Анна, мы очень ждём ваш ответ! Шарики на выпускной ещё нужны?")
    await bot.wait(timedelta(hours=24))
    nudge = (await bot.rows())[-1]
    assert (nudge["key"], nudge["template_text"], nudge["personalised"]) == (
        "nudge_2",
        NUDGE_2,
        True,
    )
    assert f"Shop: {REWRITE}" in f.user_text(fake.requests[-1])  # what was really sent before


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (f.EMPTY, "llm_garbage"),
        (f.HANG, "llm_timeout"),
        (f.SERVER_ERROR, "llm_error"),
        (f.REFUSAL, "llm_refused"),
        (f.CUT_OFF, "too_long"),
        (f.text("Анна, оформите заказ со скидкой: https://evil.example/pay"), "new_link"),
        (f.text("Анна, 30 шариков на выпускной — всего 1990 ₽!"), "new_price"),
        (f.text('{"text": "Анна, ещё думаете?"}'), "markup"),
        (f.text("Anna, are you still thinking about the balloons?"), "wrong_language"),
    ],
    ids=[
        "garbage",
        "timeout",
        "error",
        "refusal",
        "cut_off",
        "new_link",
        "new_price",
        "json",
        "english",
    ],
)
async def test_the_template_is_sent_when_the_rewrite_fails(
    bot: Bot, fake: FakeOpenAI, reply: f.Reply, reason: str
) -> None:
    await thinking(bot)
    fake.default = reply
    await bot.wait(timedelta(hours=25))
    assert bot.port.texts()[-1] == NUDGE_1
    nudge = (await bot.rows())[-1]
    assert (nudge["status"], nudge["text"], nudge["personalised"], nudge["fallback"]) == (
        "sent",
        NUDGE_1,
        False,
        reason,
    )
    assert (await bot.sent_messages())[-1] == NUDGE_1


async def test_a_hanging_server_delays_the_nudge_by_the_deadline_at_most(
    bot: Bot, fake: FakeOpenAI
) -> None:
    await thinking(bot)
    fake.default = f.HANG
    await advance_clock(bot.clock, bot.scheduler, timedelta(hours=25))
    started = time.monotonic()
    assert await bot.outbox.deliver_pending() == 1
    assert time.monotonic() - started < DEADLINE + 0.5


async def test_a_retried_send_repeats_the_decided_text(bot: Bot, fake: FakeOpenAI) -> None:
    await thinking(bot)
    fake.default = f.text(REWRITE)
    bot.port.failures = [SendFailed("500 Internal Server Error")]
    await bot.wait(timedelta(hours=25))
    assert (await bot.rows())[-1]["status"] == "pending"
    fake.default = f.text("Анна, совсем другой текст про шарики на выпускной?")
    bot.clock.advance(timedelta(minutes=1))
    assert await bot.outbox.deliver_pending() == 1
    assert bot.port.texts()[-1] == REWRITE
    assert len(fake.requests) == 1


async def test_with_the_llm_off_the_template_is_sent(
    db: Database, admin: tuple[FlowSet, RulesFn], fake: FakeOpenAI
) -> None:
    bot = Bot(db, admin, Personaliser(db, None))
    await thinking(bot)
    await bot.wait(timedelta(hours=25))
    assert bot.port.texts()[-1] == NUDGE_1
    nudge = (await bot.rows())[-1]
    assert (nudge["text"], nudge["personalised"], nudge["fallback"]) == (NUDGE_1, False, "llm_off")
    assert fake.requests == []


async def test_an_outbox_without_a_composer_sends_the_template(
    db: Database, admin: tuple[FlowSet, RulesFn]
) -> None:
    bot = Bot(db, admin, None)
    await thinking(bot)
    await bot.wait(timedelta(hours=25))
    assert bot.port.texts()[-1] == NUDGE_1
    assert "personalised" not in (await bot.rows())[-1]


@pytest.mark.parametrize("llm_on", [True, False], ids=["llm_on", "llm_off"])
async def test_the_runtime_built_from_settings_rewrites_nudges(
    tmp_path: Path, fake: FakeOpenAI, llm_on: bool
) -> None:
    llm = {"LLM_MODEL": "fake-model", "LLM_BASE_URL": fake.base_url} if llm_on else {}
    settings = Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
        FLOWS_DIR=ROOT / "flows",
        PROMPTS_DIR=ROOT / "prompts",
        LLM_DEADLINE_SECONDS=DEADLINE,
        **llm,
    )
    clock = VirtualClock(START)
    app = await open_app(settings, clock)
    try:
        if llm_on:
            assert app.writer is not None
            assert app.llm is not None
            assert app.writer.breaker is app.llm.breaker  # one server, one breaker
        else:
            assert app.writer is None
        port = Recorder()
        runtime = Runtime(app, senders={"telegram": port})
        thought = IncomingText("Спасибо, я подумаю")
        await runtime.handle(Inbound("telegram", "42", thought, "m1", ANNA))
        fake.default = f.text(REWRITE)
        await advance_clock(clock, app.scheduler, timedelta(hours=25))
        assert await runtime.outbox.deliver_pending() == 2
        exposed = runtime.metrics.render().decode()
    finally:
        await app.close()
    assert port.texts()[-1] == (REWRITE if llm_on else NUDGE_1)
    outcome = "personalised" if llm_on else "llm_off"
    assert f'chatbot_personalised_replies_total{{outcome="{outcome}"}} 1.0' in exposed
