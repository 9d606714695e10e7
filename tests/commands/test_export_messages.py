"""`chatbot export-messages`: customers' labelled texts from a real pipeline, on each backend."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chatbot.cli import main
from chatbot.core.clock import VirtualClock
from chatbot.core.events import ManagerMessage
from chatbot.db.database import Database
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.ports.inbound import CustomerInfo, Inbound, IncomingText
from chatbot.ports.llm import LlmResult
from chatbot.service.app import load_admin_files
from chatbot.service.pipeline import Pipeline
from tests.conftest import ROOT

MSK = ZoneInfo("Europe/Moscow")  # the shipped flows' shop.timezone
ANNA = CustomerInfo("Анна Петрова", "+79990001122")
BORIS = CustomerInfo("Борис", "+79995554433")
MANAGER_TEXT = "Анна, ваш заказ готов, телефон курьера +79001112233"
# Messages the rules are unsure of; the fake model labels one and fails on the others.
LLM_LABELS = {"ну такое себе, посмотрим": "need_time"}  # the rules say thinking
KEYS = {"text", "label", "lang", "source", "confidence"}
# None of these may leak: names, the manager and their text; phones, chat ids, dates, ids.
NAMES = ("Анна", "Петрова", "Борис", "John", "olga", "курьера")
NUMBERS = ("7999", "100200300", "555", "777", "2026", "m1", "g1")
# What the export holds, in time order: (text, label, lang, source, confidence).
EXPECTED = [
    ("Здравствуйте", "greeting", "ru", "rules", 0.9),  # Mon 02.03
    ("ну такое себе, посмотрим", "need_time", "ru", "llm", 0.8),
    ("хмм", "other", "ru", "rules", 0.3),
    ("Спасибо", "thanks", "ru", "rules", 0.9),  # Tue 03.03
    ("а если синие", "other", "ru", "rules", 0.3),
    ("Hello, how much is it?", "ask_price", "en", "rules", 0.8),
    ("сколько стоит набор на день рождения?", "ask_price", "ru", "rules", 0.9),  # Wed 01:30
]


class FakeModel:
    """Our IntentLlm port: the label of LLM_LABELS, or None as a failed call."""

    async def classify(
        self,
        text: str,
        *,
        stage: str,
        last_bot_message: str,
        lang: str,
        known_intents: frozenset[str],
    ) -> LlmResult | None:
        """The fixed label, or None."""
        intent = LLM_LABELS.get(text)
        return None if intent is None else LlmResult(intent, 0.0, 0, 0, "text")


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    return load_admin_files(ROOT / "flows", ROOT / "prompts")


@pytest.fixture
async def database_url(
    db: Database, admin: tuple[FlowSet, RulesFn], monkeypatch: pytest.MonkeyPatch
) -> str:
    """DATABASE_URL of a database filled by the real pipeline over three shop days."""
    clock = VirtualClock(datetime(2026, 3, 2, 11, 0, tzinfo=MSK))
    pipeline = Pipeline(db, *admin, clock, FakeModel())
    n = 0

    async def say(chat: str, text: str, who: CustomerInfo, button: str | None = None) -> None:
        nonlocal n
        n += 1
        await pipeline.handle(Inbound("telegram", chat, IncomingText(text, button), f"m{n}", who))

    await say("100200300", "Здравствуйте", ANNA)
    await say("100200300", "2", ANNA, button="status")  # a menu choice: not exported
    await say("100200300", "ну такое себе, посмотрим", ANNA)
    await say("100200300", "хмм", ANNA)
    manager = ManagerMessage(MANAGER_TEXT, "@olga")  # stored inbound, without an intent
    await pipeline.handle(Inbound("telegram", "100200300", manager, "g1"))
    clock.advance(timedelta(days=1))
    await say("555", "Спасибо", BORIS)
    await say("555", "  СПАСИБО ", BORIS)  # the same text: exported once
    await say("555", "   ", BORIS)  # nothing to relabel
    await say("555", "а если синие", BORIS)
    await say("777", "Hello, how much is it?", CustomerInfo("John"))
    clock.advance(timedelta(hours=14, minutes=30))  # Wed 01:30 in Moscow, still Tue in UTC
    await say("100200300", "сколько стоит набор на день рождения?", ANNA)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("FLOWS_DIR", str(ROOT / "flows"))
    return db.url


async def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command (its own event loop, in a thread) and return code, stdout, stderr."""
    code = await asyncio.to_thread(main, ["export-messages", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> list[tuple[str, str, str, str, float]]:
    lines = [json.loads(line) for line in out.splitlines()]
    assert all(set(line) == KEYS for line in lines)
    return [(r["text"], r["label"], r["lang"], r["source"], r["confidence"]) for r in lines]


async def test_exports_customers_classified_texts_once_in_time_order(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await export(capsys)
    assert code == 0
    assert rows(out) == EXPECTED
    assert err == "exported 7 messages (3 uncertain) to stdout\n"


async def test_nothing_personal_is_exported(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = await export(capsys)
    for personal in (*NAMES, *NUMBERS):
        assert personal not in out


async def test_uncertain_ones_come_first_lowest_confidence_first(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await export(capsys, "--uncertain")
    assert code == 0
    texts = [row[0] for row in rows(out)]
    assert texts == [
        "хмм",
        "а если синие",
        "ну такое себе, посмотрим",
        "Здравствуйте",
        "Спасибо",
        "Hello, how much is it?",
        "сколько стоит набор на день рождения?",
    ]
    assert "(3 uncertain)" in err


@pytest.mark.parametrize(
    ("days", "texts"),
    [
        (
            ["--from", "2026-03-03", "--to", "2026-03-03"],
            ["Спасибо", "а если синие", "Hello, how much is it?"],
        ),
        (["--from", "2026-03-04"], ["сколько стоит набор на день рождения?"]),
        (["--to", "2026-03-02"], ["Здравствуйте", "ну такое себе, посмотрим", "хмм"]),
        (["--from", "2026-03-05"], []),
    ],
)
async def test_dates_are_shop_days_inclusive(
    database_url: str, capsys: pytest.CaptureFixture[str], days: list[str], texts: list[str]
) -> None:
    code, out, _ = await export(capsys, *days)
    assert code == 0
    assert [row[0] for row in rows(out)] == texts


async def test_exported_file_is_scored_by_eval_intents_as_it_is(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "ours.jsonl"
    code, out, err = await export(capsys, "--out", str(exported))
    assert (code, out) == (0, "")
    assert err == f"exported 7 messages (3 uncertain) to {exported}\n"
    body = await score(exported, capsys)
    assert body["n"] == 7
    # The rules gave every label but the model's, so only the model's is "wrong".
    assert [e["text"] for e in body["errors"]] == ["ну такое себе, посмотрим"]
    # The shop corrects a label by hand: the rules are scored against it.
    fixed = exported.read_text(encoding="utf-8").replace(
        '"label": "other"', '"label": "ask_price"', 1
    )
    exported.write_text(fixed, encoding="utf-8")
    body = await score(exported, capsys)
    assert [(e["text"], e["gold"], e["predicted"]) for e in body["errors"]] == [
        ("ну такое себе, посмотрим", "need_time", "thinking"),
        ("хмм", "ask_price", "other"),
    ]


async def score(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = await asyncio.to_thread(main, ["eval-intents", str(path), "--json", "--errors"])
    assert code == 0
    body: dict[str, Any] = json.loads(capsys.readouterr().out)
    return body


async def test_out_never_overwrites_without_replace(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ours.jsonl"
    target.write_text("labelled by hand\n", encoding="utf-8")
    code, _, err = await export(capsys, "--out", str(target))
    assert code == 1
    assert err == f"chatbot export-messages: {target} exists; add --replace to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "labelled by hand\n"
    code, _, _ = await export(capsys, "--out", str(target), "--replace")
    assert code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 7


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30"], "--from '2026-02-30' is not a date: use YYYY-MM-DD"),
        (["--to", "03.03.2026"], "--to '03.03.2026' is not a date: use YYYY-MM-DD"),
        (["--from", "2026-3-3"], "--from '2026-3-3' is not a date: use YYYY-MM-DD"),
        (["--from", "2026-03-04", "--to", "2026-03-03"], "--from 2026-03-04 is after --to"),
    ],
)
def test_a_bad_date_is_one_line_and_exit_2(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert main(["export-messages", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"chatbot export-messages: {message}")
    assert err.count("\n") == 1


def test_a_missing_database_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo" / "chatbot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    assert main(["export-messages"]) == 1
    assert (
        capsys.readouterr().err
        == f"chatbot export-messages: no database at {missing} (DATABASE_URL)\n"
    )
    assert not missing.parent.exists()
