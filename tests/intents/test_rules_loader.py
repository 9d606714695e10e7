"""Broken rule files give file:line problems with a fix; the shipped ones load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatbot.errors import FlowError
from chatbot.intents.rules_loader import check_rules, load_rules

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "intents"
    shutil.copytree(RULES, target)
    return target


def test_shipped_rules_have_no_problems() -> None:
    assert check_rules(RULES) == []


def test_bad_pattern_is_located(copy: Path) -> None:
    path = copy / "ru.yaml"
    text = path.read_text(encoding="utf-8").replace('"re: ^ человек $"', '"re: ( человек"')
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("re: ( человек")].count("\n") + 1
    problems = check_rules(copy)
    assert any(p.line == line and "bad pattern" in p.message for p in problems), problems


def test_unknown_key_and_short_prefix(copy: Path) -> None:
    path = copy / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nextras: 1\n", encoding="utf-8")
    (copy / "xx.yaml").write_text("intents:\n  thanks:\n    strong: [ab*]\n    srtong: [x]\n",
                                   encoding="utf-8")  # fmt: skip
    messages = [f"{p.file}:{p.line}: {p.message}" for p in check_rules(copy)]
    assert any("en.yaml" in m and "unknown key 'extras'" in m for m in messages), messages
    assert any("xx.yaml:3" in m and "too short" in m for m in messages), messages
    assert any("xx.yaml:4" in m and "unknown key 'srtong'" in m for m in messages), messages


def test_new_intent_must_be_in_priority(copy: Path) -> None:
    (copy / "xx.yaml").write_text("intents:\n  gift_card:\n    strong: [сертификат]\n",
                                  encoding="utf-8")  # fmt: skip
    with pytest.raises(FlowError, match="'gift_card' is missing from priority"):
        load_rules(copy)
    common = copy / "common.yaml"
    common.write_text(common.read_text(encoding="utf-8").replace("other,", "gift_card, other,"),
                      encoding="utf-8")  # fmt: skip
    assert "gift_card" in load_rules(copy).intent_names


def test_missing_folder(tmp_path: Path) -> None:
    problems = check_rules(tmp_path / "nothing")
    assert problems[0].message == "no intent rule files found"
