"""Broken rule files give file:line problems with a fix; the shipped ones load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatbot.admin_files.rules_loader import check_rules, load_rules
from chatbot.errors import FlowError
from chatbot.intents.rules import classify

RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped rule files to break."""
    target = tmp_path / "intents"
    shutil.copytree(RULES, target)
    return target


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_shipped_rules_have_no_problems() -> None:
    assert check_rules(RULES) == []


def test_every_problem_is_listed_with_file_line_and_hint(folder: Path) -> None:
    (folder / "xx.yaml").write_text(
        "intents:\n"
        "  thanks:\n"
        "    words: [ab*]\n"
        "    wrods: [x]\n"
        "    patterns: ['(unclosed']\n"
        "    weight: 3\n"
        "  refuse:\n"
        "    words: [two words]\n"
        "    phrases: oops\n",
        encoding="utf-8",
    )
    with pytest.raises(FlowError) as caught:
        load_rules(folder)
    found = {(Path(p.file).name, p.line): p for p in caught.value.problems}
    assert "too short" in found[("xx.yaml", 3)].message
    assert "unknown key 'wrods'" in found[("xx.yaml", 4)].message
    assert "bad pattern" in found[("xx.yaml", 5)].message
    assert "out of range" in found[("xx.yaml", 6)].message
    assert "several words" in found[("xx.yaml", 8)].message
    assert "must be a list" in found[("xx.yaml", 9)].message
    assert all(p.hint for p in caught.value.problems)


def test_unknown_top_key_and_yaml_syntax(folder: Path) -> None:
    en = folder / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8") + "\nextras: 1\n", encoding="utf-8")
    (folder / "bad.yaml").write_text("intents:\n  thanks: [a\n", encoding="utf-8")
    problems = check_rules(folder)
    messages = [f"{Path(p.file).name}:{p.line}: {p.message}" for p in problems]
    line = _line_of(en.read_text(encoding="utf-8"), "extras:")
    assert f"en.yaml:{line}: unknown key 'extras'" in messages, messages
    assert any(m.startswith("bad.yaml:") and "YAML" in m for m in messages), messages


def test_bad_pattern_in_a_shipped_file_is_located(folder: Path) -> None:
    ru = folder / "ru.yaml"
    text = ru.read_text(encoding="utf-8").replace("'\\bпозвоню\\b'", "'(позвоню'", 1)
    ru.write_text(text, encoding="utf-8")
    problems = check_rules(folder)
    assert [p.line for p in problems if "bad pattern" in p.message] == [
        _line_of(text, "'(позвоню'")
    ]


def test_admin_can_add_an_intent(folder: Path) -> None:
    (folder / "gift.yaml").write_text(
        "intents:\n  gift_card:\n    words: [сертификат*]\n", encoding="utf-8"
    )
    with pytest.raises(FlowError, match=r"'gift_card'.*missing from priority"):
        load_rules(folder)
    common = folder / "common.yaml"
    text = common.read_text(encoding="utf-8").replace(
        "ask_payment, other,", "ask_payment, gift_card, other,"
    )
    common.write_text(text, encoding="utf-8")
    rules = load_rules(folder)
    assert "gift_card" in rules.intent_names
    assert classify("хочу подарочный сертификат на 3000", rules).intent == "gift_card"


def test_missing_folder(tmp_path: Path) -> None:
    problems = check_rules(tmp_path / "nothing")
    assert problems[0].message == "no intent rule files found"
    with pytest.raises(FlowError):
        load_rules(tmp_path / "nothing")


def test_patterns_ignore_case_whether_or_not_they_name_capitals(folder: Path) -> None:
    common = folder / "common.yaml"
    text = common.read_text(encoding="utf-8").replace(
        "ask_payment, other,", "ask_payment, gift_card, other,"
    )
    common.write_text(text, encoding="utf-8")
    (folder / "gift.yaml").write_text(
        "intents:\n  gift_card:\n    patterns: ['ПОДАРОЧН\\w+ СЕРТ', '\\bgift\\W+wrapping\\b']\n",
        encoding="utf-8",
    )
    rules = load_rules(folder)
    assert classify("Есть Подарочные сертификаты?", rules).intent == "gift_card"
    assert classify("Is there GIFT-WRAPPING", rules).intent == "gift_card"
    assert classify("подарок и сертификат", rules).intent != "gift_card"


def test_an_exact_form_cue_takes_that_form_only(folder: Path) -> None:
    (folder / "take.yaml").write_text(
        "intents:\n  take_it:\n    words: [=возьму]\n  taken:\n    words: [взять]\n",
        encoding="utf-8",
    )
    common = folder / "common.yaml"
    text = common.read_text(encoding="utf-8").replace("priority: [", "priority: [take_it, taken, ")
    common.write_text(text, encoding="utf-8")
    rules = load_rules(folder)
    assert classify("ладно, возьму два", rules).intent == "take_it"
    assert classify("мы уже взяли у других", rules).intent == "taken"  # same lemma, other form


def test_a_second_form_of_a_listed_word_is_a_warning(folder: Path) -> None:
    (folder / "twice.yaml").write_text(
        "intents:\n  maybe:\n    words: [подумать, подумаем]\n", encoding="utf-8"
    )
    common = folder / "common.yaml"
    text = common.read_text(encoding="utf-8").replace("priority: [", "priority: [maybe, ")
    common.write_text(text, encoding="utf-8")
    problems = check_rules(folder)
    [warning] = [p for p in problems if p.file.endswith("twice.yaml")]
    assert "'подумаем' is a form of a word already listed for maybe" in warning.message
    assert warning.line == 3
    assert classify("подумаем", load_rules(folder)).intent == "maybe"  # still loads and works
