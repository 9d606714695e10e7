"""`chatbot eval-intents --llm`: rules, LLM alone and the combined policy against a fake server."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatbot.cli import main
from tests.conftest import ROOT
from tests.llm import fake_openai as f
from tests.llm.fake_openai import FakeOpenAI

DEADLINE = 0.5  # seconds; the hanging reply costs one deadline per column
TOKENS = (120, 7)  # what the fake server reports for every answer

# (text, gold label, how the fake server answers); the comments say what the rules decide.
LINES: list[tuple[str, str, f.Reply]] = [
    ("спасибо огромное", "thanks", f.label("thanks")),  # sure and right
    ("позовите оператора", "human", f.label("complaint")),  # sure and right; the LLM is wrong
    ("ну не знаю даже", "thinking", f.label("thinking")),  # unsure and wrong; the LLM is right
    ("ну такое себе, посмотрим", "thinking", f.UNKNOWN_LABEL),  # unsure but right; LLM garbage
    ("вот это поворот", "other", f.HANG),  # unsure but right; the LLM times out
]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake server runs in a thread: the command runs its own event loop."""
    with f.serve_in_thread() as server:
        yield server


@pytest.fixture
def llm_env(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """Settings that point the command at the fake server."""
    for name, value in {
        "LLM_BASE_URL": fake.base_url,
        "LLM_MODEL": "fake-model",
        "LLM_API_KEY": "test-key",
        "LLM_DEADLINE_SECONDS": str(DEADLINE),
        "LLM_TIMEOUT_SECONDS": str(DEADLINE),
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
    }.items():
        monkeypatch.setenv(name, value)
    return fake


@pytest.fixture
def labelled(tmp_path: Path, llm_env: FakeOpenAI) -> Path:
    llm_env.by_text = {text: reply for text, _, reply in LINES}
    path = tmp_path / "a.jsonl"
    rows = [{"text": text, "label": gold, "lang": "ru"} for text, gold, _ in LINES]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, Any], str]:
    assert main(["eval-intents", *args, "--json", "--errors"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def predicted(column: dict[str, Any]) -> dict[str, str]:
    wrong = {e["text"]: e["predicted"] for e in column["errors"]}
    return {text: wrong.get(text, gold) for text, gold, _ in LINES}


def asked(fake: FakeOpenAI) -> Counter[str]:
    return Counter(f.customer_text(body) for body in fake.requests)


def test_three_columns_side_by_side(
    labelled: Path, llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    body, err = run_json(capsys, str(labelled), "--llm")
    assert {"accuracy", "macro_f1", "per_intent", "n"} <= set(body)  # the contract stays
    assert body["accuracy"] == pytest.approx(4 / 5)
    columns = body["columns"]
    assert list(columns) == ["rules", "llm", "combined"]
    assert columns["rules"]["accuracy"] == body["accuracy"]
    assert columns["rules"]["llm"] is None
    assert predicted(columns["llm"]) == {
        "спасибо огромное": "thanks",
        "позовите оператора": "complaint",
        "ну не знаю даже": "thinking",
        "ну такое себе, посмотрим": "other",  # no usable answer: the LLM alone says nothing
        "вот это поворот": "other",
    }
    assert columns["llm"]["accuracy"] == pytest.approx(3 / 5)
    assert columns["combined"]["accuracy"] == 1.0  # garbage and the timeout fell back to rules
    assert columns["combined"]["per_intent"]["thinking"]["f1"] == 1.0
    assert set(columns["combined"]["per_intent"]) == {"thanks", "human", "thinking", "other"}

    alone, both = columns["llm"]["llm"], columns["combined"]["llm"]
    assert (alone["asked"], alone["calls"], alone["calls_per_100"]) == (5, 5, 100.0)
    assert (both["asked"], both["calls"], both["calls_per_100"]) == (3, 3, 60.0)
    assert alone["fallbacks"] == both["fallbacks"] == 2
    zero = {"refused": 0, "error": 0, "skipped": 0, "cached": 0}
    assert alone["outcomes"] == {"ok": 3, "invalid": 1, "timeout": 1, **zero}
    assert both["outcomes"] == {"ok": 1, "invalid": 1, "timeout": 1, **zero}
    # the garbage answer is asked twice; the timed-out call reports no tokens
    assert (alone["prompt_tokens"], alone["completion_tokens"]) == (5 * TOKENS[0], 5 * TOKENS[1])
    assert (both["prompt_tokens"], both["completion_tokens"]) == (3 * TOKENS[0], 3 * TOKENS[1])
    assert both["latency_ms"]["p95"] >= both["latency_ms"]["p50"] > 0

    sent = asked(llm_env)  # the combined column really called the server, only when unsure
    assert sent["спасибо огромное"] == sent["позовите оператора"] == 1
    assert sent["ну не знаю даже"] == 2
    assert sent["ну такое себе, посмотрим"] == 4
    assert "eval-intents: llm: 5/5" in err
    assert "eval-intents: combined: 3/3" in err


def test_human_output_has_the_table(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-intents", str(labelled), "--llm", "--errors"]) == 0
    out = capsys.readouterr().out
    assert "would call the LLM for 3 of 5 (60.0%)" in out
    assert "== rules, LLM and the combined policy side by side (n=5)" in out
    assert "  accuracy                       0.800     0.600     1.000" in out
    assert "  LLM calls per 100 msgs             -     100.0      60.0" in out
    assert "  no LLM intent (fallback)           -         2         2" in out
    assert "combined outcomes: ok 1, invalid 1, refused 0, error 0, timeout 1" in out
    assert "== errors of llm" in out
    assert f"{labelled}:2: human -> complaint: позовите оператора" in out


def test_requests_stay_within_the_concurrency(
    tmp_path: Path, llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [f"а если цвет номер {i}?" for i in range(8)]
    llm_env.default = f.Reply(content=f.as_json({"intent": "other"}), delay=0.2)
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"text": t, "label": "other"}) + "\n" for t in texts))
    body, _ = run_json(capsys, str(path), "--llm", "--concurrency", "2")
    assert body["columns"]["llm"]["llm"]["calls"] == 8
    assert llm_env.most_at_once == 2


def test_without_a_model_llm_exits_2(
    labelled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LLM_MODEL", "")
    assert main(["eval-intents", str(labelled), "--llm"]) == 2
    captured = capsys.readouterr()
    assert "LLM_MODEL" in captured.err
    assert captured.out == ""


def test_concurrency_must_be_positive(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["eval-intents", str(labelled), "--llm", "--concurrency", "0"])
    assert exit_info.value.code == 2
    assert "at least 1" in capsys.readouterr().err
