"""The pipeline with a real LLM client against the fake server: rules first, LLM when unsure."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import load_admin_files
from chatbot.service.pipeline import Outcome, Pipeline
from tests.conftest import ROOT
from tests.llm.conftest import DEADLINE, MakeClassifier
from tests.llm.fake_openai import HANG, UNKNOWN_LABEL, FakeOpenAI, Reply

UNSURE = "ну такое себе, посмотрим"  # no cue the rules trust


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    return load_admin_files(ROOT / "flows", ROOT / "prompts")


@pytest.fixture
async def pipeline(
    db: Database, admin: tuple[FlowSet, RulesFn], make_classifier: MakeClassifier
) -> Pipeline:
    flows, rules = admin
    llm = await make_classifier()
    clock = VirtualClock(datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow")))
    return Pipeline(db, flows, rules, clock, llm)


def intent_of(outcome: Outcome) -> dict[str, object]:
    return next(t.fields for t in outcome.trace if t.type == "intent")


async def say(pipeline: Pipeline, text: str, mid: str, button: str | None = None) -> Outcome:
    return await pipeline.handle(Inbound("telegram", "1", IncomingText(text, button), mid))


async def test_unsure_rules_ask_the_llm(pipeline: Pipeline, fake: FakeOpenAI) -> None:
    fake.then(Reply(content='{"intent": "thinking"}'))
    outcome = await say(pipeline, UNSURE, "a")
    assert intent_of(outcome)["source"] == "llm"
    assert intent_of(outcome)["intent"] == "thinking"
    assert UNSURE in str(fake.requests[0]["messages"])
    assert any(t.type == "stage" and t.fields["to"] == "thinking" for t in outcome.trace)


async def test_sure_rules_and_menu_choices_skip_the_llm(
    pipeline: Pipeline, fake: FakeOpenAI
) -> None:
    assert intent_of(await say(pipeline, "позовите менеджера", "a"))["source"] == "rules"
    await pipeline.handle(Inbound("telegram", "2", IncomingText("Здравствуйте"), "b"))
    chosen = await pipeline.handle(Inbound("telegram", "2", IncomingText("2", "status"), "c"))
    assert intent_of(chosen)["source"] == "menu"
    assert fake.requests == []


@pytest.mark.parametrize("reply", [HANG, UNKNOWN_LABEL, Reply(status=500)], ids=str)
async def test_a_failing_llm_leaves_the_rules_answer_in_time(
    pipeline: Pipeline, fake: FakeOpenAI, reply: Reply
) -> None:
    fake.default = reply
    started = time.monotonic()
    outcome = await say(pipeline, UNSURE, "a")
    assert time.monotonic() - started < DEADLINE + 0.5
    assert intent_of(outcome)["source"] == "rules"
    assert [t for t in outcome.trace if t.type == "reply"]  # the customer still gets an answer
