"""`chatbot eval-intents` on small files: JSON keys, errors, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.cli import main
from tests.conftest import ROOT


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "a.jsonl", [
        json.dumps({"text": "спасибо", "label": "thanks", "lang": "ru"}, ensure_ascii=False),
        json.dumps({"text": "позовите менеджера", "label": "human", "lang": "ru"},
                   ensure_ascii=False),
        json.dumps({"text": "хм", "label": "thanks", "lang": "ru"}, ensure_ascii=False),
    ])  # fmt: skip
    code = main(["eval-intents", str(data), "--json", "--errors", "--flows", str(ROOT / "flows")])
    assert code == 0
    body = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "per_intent", "n"} <= set(body)
    assert body["n"] == 3
    assert body["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert body["per_intent"]["human"]["support"] == 1
    assert body["errors"][0]["line"] == 3


def test_human_output_lists_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "a.jsonl", ['{"text": "хм", "label": "thanks"}'])
    assert main(["eval-intents", str(data), "--errors", "--flows", str(ROOT / "flows")]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out
    assert f"{data}:1: thanks -> other: хм" in out


def test_bad_line_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "bad.jsonl", ['{"text": "a", "label": "thanks"}', "{oops"])
    assert main(["eval-intents", str(data), "--flows", str(ROOT / "flows")]) == 2
    assert f"{data}:2: not JSON" in capsys.readouterr().err
