"""Reloading admin files while running: valid edits apply, invalid ones keep the running files."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.app import open_app
from chatbot.service.runtime import Runtime
from tests.conftest import ROOT
from tests.service.conftest import START

OLD = "Чем помочь?"
NEW = "Что вам подсказать?"


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    settings = Settings(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
        FLOWS_DIR=tmp_path / "flows",
        PROMPTS_DIR=tmp_path / "prompts",
    )
    app = await open_app(settings, VirtualClock(START))
    yield Runtime(app, senders={})
    await app.close()


def edit(runtime: Runtime, name: str, old: str, new: str) -> None:
    path = runtime.app.settings.flows_dir / name
    body = path.read_text(encoding="utf-8")
    assert old in body
    path.write_text(body.replace(old, new), encoding="utf-8")


async def menu_text(runtime: Runtime, chat: str) -> str:
    outcome = await runtime.handle(Inbound("telegram", chat, IncomingText("Здравствуйте"), chat))
    [reply] = [t for t in outcome.trace if t.type == "reply"]
    return str(reply.fields["text"])


async def test_a_valid_edit_applies_to_the_next_message(runtime: Runtime) -> None:
    assert OLD in await menu_text(runtime, "1")
    edit(runtime, "texts/ru.yaml", OLD, NEW)
    assert await runtime.reload()
    assert NEW in await menu_text(runtime, "2")


async def test_an_invalid_edit_is_refused_and_the_running_files_stay(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    edit(runtime, "texts/ru.yaml", OLD, NEW)
    edit(runtime, "dialog.yaml", "after: 10h", "after: 10 hours")  # a broken duration
    with caplog.at_level(logging.ERROR):
        assert not await runtime.reload()
    problems = [r.__dict__.get("problem", "") for r in caplog.records]
    assert any("dialog.yaml:" in p and "bad duration" in p for p in problems)
    assert OLD in await menu_text(runtime, "1")  # neither edit applied: all or nothing
    assert 'chatbot_errors_total{where="reload"} 1.0' in runtime.metrics.render().decode()


# the opening of the greeting words: it stays when cues are added at the end of the list
GREETING_WORDS = "words: [здравствуйте,"
NEW_WORD = "кукусики"


async def test_a_refused_reload_keeps_the_very_same_snapshot(runtime: Runtime) -> None:
    before = runtime.app.files
    edit(runtime, "texts/ru.yaml", OLD, NEW)
    edit(runtime, "dialog.yaml", "after: 10h", "after: 10 hours")
    assert not await runtime.reload()
    assert runtime.app.files is before
    assert runtime.app.pipeline.files is before


async def test_a_reload_swaps_flows_rules_and_texts_together(runtime: Runtime) -> None:
    before = runtime.app.files
    assert before.rules(NEW_WORD).intent != "greeting"
    edit(runtime, "texts/ru.yaml", OLD, NEW)
    edit(runtime, "intents/ru.yaml", GREETING_WORDS, GREETING_WORDS.replace("[", f"[{NEW_WORD}, "))
    edit(runtime, "managers/ru.yaml", 'take: "✋ Взять"', 'take: "🙋 Беру"')
    assert await runtime.reload()
    after = runtime.app.files  # what a reader takes once per event
    assert after is runtime.app.pipeline.files
    assert NEW in after.flows.text("menu_main", "ru")
    assert after.rules(NEW_WORD).intent == "greeting"
    assert after.wording.take == "🙋 Беру"
    # A reader still holding the old snapshot sees the old version of every file, not a mix.
    assert OLD in before.flows.text("menu_main", "ru")
    assert before.rules(NEW_WORD).intent != "greeting"
    assert before.wording.take == "✋ Взять"
