"""`chatbot eval-intents` on small files: JSON keys, human output, errors, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.cli import main

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"


def _write(path: Path, rows: list[object]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    """Three labelled lines; the third is labelled against the rules on purpose."""
    return _write(
        tmp_path / "a.jsonl",
        [
            {"text": "спасибо огромное", "label": "thanks", "lang": "ru"},
            {"text": "позовите оператора", "label": "human", "lang": "ru", "note": "extra"},
            {"text": "хм", "label": "thanks", "lang": "ru"},
        ],
    )


def test_json_output(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval-intents", str(labelled), "--json", "--errors", "--rules", str(RULES)])
    assert code == 0
    body = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "per_intent", "n", "files", "confusions"} <= set(body)
    assert body["n"] == 3
    assert body["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert body["per_intent"]["human"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 1,
    }
    assert body["files"][str(labelled)]["n"] == 3
    assert body["would_call_llm"] == {"count": 1, "share": 0.3333}  # "хм" is unsure
    assert body["files"][str(labelled)]["would_call_llm"]["count"] == 1
    assert "columns" not in body
    assert body["errors"] == [
        {"file": str(labelled), "line": 3, "gold": "thanks", "predicted": "other", "text": "хм"}
    ]


def test_human_output_per_file_and_overall(
    labelled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _write(tmp_path / "b.jsonl", [{"text": "сколько стоит?", "label": "ask_price"}])
    code = main(["eval-intents", str(labelled), str(other), "--errors", "--rules", str(RULES)])
    assert code == 0
    out = capsys.readouterr().out
    assert f"== {labelled}" in out
    assert f"== {other}" in out
    assert "== all files" in out
    assert "macro-F1" in out
    assert "  would call the LLM for 1 of 3 (33.3%)" in out
    assert "  would call the LLM for 0 of 1 (0.0%)" in out
    assert "  would call the LLM for 1 of 4 (25.0%)" in out
    assert "side by side" not in out
    assert "thanks -> other: 1" in out
    assert f"{labelled}:3: thanks -> other: хм" in out


@pytest.mark.parametrize(
    ("line", "message"),
    [("{oops", "not JSON"), ('{"text": "a"}', "expected"), ('["a", "b"]', "expected")],
)
def test_malformed_line_exits_2_with_file_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    data = _write(tmp_path / "bad.jsonl", [{"text": "a", "label": "thanks"}, line])
    assert main(["eval-intents", str(data), "--rules", str(RULES)]) == 2
    err = capsys.readouterr().err
    assert f"{data}:2: {message}" in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-intents", str(tmp_path / "none.jsonl"), "--rules", str(RULES)]) == 2
    assert "none.jsonl" in capsys.readouterr().err


def test_invalid_rules_exit_1(
    labelled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "rules"
    broken.mkdir()
    (broken / "common.yaml").write_text("priority: [thanks]\nbogus: 1\n", encoding="utf-8")
    assert main(["eval-intents", str(labelled), "--rules", str(broken)]) == 1
    assert "common.yaml:2" in capsys.readouterr().err


def test_default_rules_come_from_flows_dir(
    labelled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLOWS_DIR", str(RULES.parent))
    assert main(["eval-intents", str(labelled), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 3
