"""The examples files of a shop (flows/intents/examples/*.jsonl): read with file:line problems."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatbot.admin_files.examples_file import read_examples
from chatbot.admin_files.rules_loader import check_rules, load_rules
from chatbot.errors import FlowError

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"
INTENTS = frozenset({"ask_payment", "ask_delivery", "thanks", "spam", "other"})


def test_bad_lines_are_problems_with_file_and_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "сплит есть?", "label": "ask_payment", "lang": "ru"}),
        "not json",
        json.dumps({"text": "что-то", "label": "ask_discount"}),
        json.dumps({"text": "без метки"}),
        "",
    ]
    (tmp_path / "mine.jsonl").write_text("\n".join(lines), encoding="utf-8")
    examples, problems = read_examples(tmp_path, INTENTS)
    assert examples == [("сплит есть?", "ask_payment")]
    assert [(Path(p.file).name, p.line) for p in problems] == [
        ("mine.jsonl", 2),
        ("mine.jsonl", 3),
        ("mine.jsonl", 4),
    ]
    assert "unknown intent 'ask_discount'" in problems[1].message


def test_an_unknown_label_stops_loading(tmp_path: Path) -> None:
    folder = tmp_path / "intents"
    shutil.copytree(RULES, folder)
    (folder / "examples" / "shop.jsonl").write_text(
        '{"text": "a", "label": "nope"}\n', encoding="utf-8"
    )
    assert any("unknown intent 'nope'" in p.message for p in check_rules(folder))
    with pytest.raises(FlowError):
        load_rules(folder)
