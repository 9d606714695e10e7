"""`chatbot simulate`: the §3.2 example script runs unchanged, --json gives documented lines."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from chatbot.cli import main
from chatbot.core.trace import TRACE_TYPES
from tests.conftest import ROOT
from tests.llm.fake_openai import label, serve_in_thread, user_text

# The example of DESIGN.md §3.2, comments and all.
DESIGN_EXAMPLE = """\
name: thinking customer gets two nudges, then the dialog closes
channel: telegram                  # telegram | whatsapp | instagram | vk | console
customer: {name: Анна, phone: "+79990001122", lang: ru}   # all optional
start: "2026-03-02T11:00:00+03:00" # virtual clock start (default: next Monday 11:00, shop time zone)
steps:
  - say: "Здравствуйте"                        # a customer message
  - press: "1"                                 # a menu button, or an option typed as text
  - wait: 25h                                  # advance the clock (s, m, h, d; "1d2h"); due timers fire
  - event: {type: order_created, order_id: A-17, amount: 2500}   # a CRM/shop event
  - manager: "Добрый день! Стоимость 2500 ₽"    # a manager writes to the customer
  - manager_action: take                       # take | done | return_to_bot
  - block: true                                # the customer blocks the bot
  - say: {text: "Спасибо", id: m-5}            # explicit message id; a repeated id is a redelivery
"""

FIELDS = {
    "inbound": {"text", "channel"},
    "duplicate": {"id"},
    "intent": {"intent", "source", "confidence"},
    "reply": {"text", "buttons", "template"},
    "stage": {"from", "to"},
    "timer_set": {"name", "due"},
    "timer_cancelled": {"name"},
    "timer_fired": {"name"},
    "task": {"kind", "reason"},
    "alert": {"kind", "reason"},
    "handoff": set(),
    "bot_resumed": set(),
    "manager": {"text"},
    "closed": {"reason"},
    "reopened": set(),
    "flag": {"flag"},
    "unflag": {"flag"},
    "skipped": {"text", "reason"},
}


def _run_json(script: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code = main(["simulate", str(script), "--json", "--flows", str(ROOT / "flows")])
    assert code == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_design_example_runs_with_documented_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "example.yaml"
    script.write_text(DESIGN_EXAMPLE, encoding="utf-8")
    lines = _run_json(script, capsys)
    assert lines
    for line in lines:
        assert line["type"] in TRACE_TYPES
        assert set(line) == {"at", "type"} | FIELDS[str(line["type"])], line
        assert datetime.fromisoformat(str(line["at"])).tzinfo is not None
    types = [line["type"] for line in lines]
    assert types[0] == "inbound"
    assert "closed" in types  # blocked
    assert {"type": "flag", "flag": "do_not_write"}.items() <= next(
        line for line in lines if line["type"] == "flag"
    ).items()
    blocked_at = types.index("closed", types.index("flag"))
    assert "reply" not in types[blocked_at:]  # a blocked customer is never written to again


def test_minimal_foreign_script_with_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "min.yaml"
    script.write_text("steps:\n  - say: привет\n  - wait: 1d2h\n", encoding="utf-8")
    lines = _run_json(script, capsys)
    first = datetime.fromisoformat(str(lines[0]["at"]))
    assert (first.weekday(), first.hour, first.minute) == (0, 11, 0)  # next Monday 11:00
    assert all(line["type"] in TRACE_TYPES for line in lines)


def test_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "h.yaml"
    script.write_text("name: hi\nsteps:\n  - say: Здравствуйте\n", encoding="utf-8")
    assert main(["simulate", str(script), "--flows", str(ROOT / "flows")]) == 0
    out = capsys.readouterr().out
    assert "# hi" in out
    assert "customer> Здравствуйте" in out
    assert "bot> Здравствуйте! Это магазин" in out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("steps:\n  - shout: hi\n", "step 1: unknown step 'shout'"),
        ("steps:\n  - wait: soon\n", "step 1: bad duration 'soon'"),
        ("steps:\n  - event: {type: order_lost}\n", "unknown event 'order_lost'"),
        ("channel: fax\nsteps:\n  - say: hi\n", "unknown channel 'fax'"),
        ("start: 2026-03-02T11:00:00\nsteps:\n  - say: hi\n", "needs a UTC offset"),
    ],
)
def test_bad_scripts_are_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text(body, encoding="utf-8")
    assert main(["simulate", str(script), "--flows", str(ROOT / "flows")]) == 2
    assert message in capsys.readouterr().err


def test_invalid_flows_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    dialog = flows / "dialog.yaml"
    dialog.write_text(
        dialog.read_text(encoding="utf-8").replace("goto: thinking", "goto: thinkng"),
        encoding="utf-8",
    )
    script = tmp_path / "s.yaml"
    script.write_text("steps:\n  - say: hi\n", encoding="utf-8")
    assert main(["simulate", str(script), "--flows", str(flows)]) == 1
    err = capsys.readouterr().err
    assert "dialog.yaml:" in err
    assert "unknown stage 'thinkng'" in err


def test_a_configured_llm_is_asked_when_the_rules_are_unsure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "unsure.yaml"
    script.write_text("steps:\n  - say: ну не знаю даже\n  - say: спасибо огромное\n")
    with serve_in_thread() as fake:
        fake.by_text = {"ну не знаю даже": label("thinking")}
        monkeypatch.setenv("LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("LLM_MODEL", "fake-model")
        code = main(
            ["simulate", str(script), str(script), "--json", "--flows", str(ROOT / "flows")]
        )
        requests = list(fake.requests)
    assert code == 0
    captured = capsys.readouterr()
    intents = [json.loads(line) for line in captured.out.splitlines()]
    intents = [line for line in intents if line["type"] == "intent"]
    assert [(i["intent"], i["source"]) for i in intents] == [
        ("thinking", "llm"),
        ("thanks", "rules"),
    ] * 2
    assert len(requests) == 1  # the second script's identical message came from the cache
    assert "Шарики и праздник" in user_text(requests[0])  # the shop's name from flows/shop.yaml
    assert "fake-model" in captured.err
