"""The prompts folder check: required files, UTF-8, known slots, balanced braces."""

from __future__ import annotations

from pathlib import Path

from chatbot.admin_files.prompts_check import NUDGE, NUDGE_SLOTS, REQUIRED, check_prompts
from chatbot.core.intents import INTENTS
from chatbot.intents.prompting import prompt_body
from tests.conftest import ROOT


def test_shipped_prompts_are_valid() -> None:
    assert check_prompts(ROOT / "prompts") == []


def test_problems_are_located(tmp_path: Path) -> None:
    (tmp_path / "classify.md").write_text("ok {text}\nbad {oops}\nodd { brace\n", encoding="utf-8")
    (tmp_path / "nudge.md").write_bytes(b"\xff\xfe broken")
    found = {(Path(p.file).name, p.line, p.message.split(":")[0]) for p in check_prompts(tmp_path)}
    assert ("classify.md", 2, "unknown slot {oops}") in found
    assert ("classify.md", 3, "unbalanced braces") in found
    assert any(name == "nudge.md" and msg.startswith("not UTF-8") for name, _, msg in found)


def test_required_prompt_missing(tmp_path: Path) -> None:
    problems = check_prompts(tmp_path)
    assert [p.message for p in problems] == ["the prompt classify.md is missing"]


def test_empty_prompt_and_readme(tmp_path: Path) -> None:
    (tmp_path / "classify.md").write_text("<!-- only a note -->\n\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("", encoding="utf-8")
    problems = check_prompts(tmp_path)
    assert [(Path(p.file).name, p.line, p.message) for p in problems] == [
        ("classify.md", 1, "the prompt is empty")
    ]


def test_notes_may_mention_anything_and_keep_line_numbers(tmp_path: Path) -> None:
    text = "<!--\nuse {whatever} and { here\n-->\nSort {text}\nby {mood}\n"
    (tmp_path / "classify.md").write_text(text, encoding="utf-8")
    problems = check_prompts(tmp_path)
    assert [(p.line, p.message) for p in problems] == [(5, "unknown slot {mood}")]


def test_unclosed_note(tmp_path: Path) -> None:
    (tmp_path / "classify.md").write_text("Sort {text}\n<!-- forgot\nto close\n", encoding="utf-8")
    problems = check_prompts(tmp_path)
    assert [(p.line, p.message) for p in problems] == [
        (2, "a note opened with <!-- is never closed")
    ]


def test_prompt_body_drops_notes() -> None:
    assert prompt_body("<!--\nfor admins\n-->\nSort {text}\n") == "Sort {text}\n"
    shipped = prompt_body((ROOT / "prompts" / "classify.md").read_text(encoding="utf-8"))
    assert "<!--" not in shipped
    for slot in ("{stage}", "{last_bot_message}", "{text}"):
        assert slot in shipped


def test_classify_prompt_defines_every_intent() -> None:
    shipped = prompt_body((ROOT / "prompts" / "classify.md").read_text(encoding="utf-8"))
    for intent in INTENTS:
        assert f"\n- {intent}: " in shipped, intent


def test_the_nudge_prompt_has_its_own_slots(tmp_path: Path) -> None:
    (tmp_path / "classify.md").write_text("Sort {text}\n", encoding="utf-8")
    text = "Rewrite {template}\nfor {shop} in {lang}, {max_chars} at most.\n{dialog}\n{text}\n"
    (tmp_path / "nudge.md").write_text(text, encoding="utf-8")
    problems = check_prompts(tmp_path, (*REQUIRED, NUDGE))
    assert [(p.line, p.message) for p in problems] == [(4, "unknown slot {text}")]
    assert "template" in problems[0].hint


def test_the_nudge_prompt_must_show_the_template(tmp_path: Path) -> None:
    (tmp_path / "classify.md").write_text("Sort {text}\n", encoding="utf-8")
    (tmp_path / "nudge.md").write_text("<!-- {template} -->\nWrite to {shop}\n", encoding="utf-8")
    problems = check_prompts(tmp_path)
    assert [(p.line, p.message) for p in problems] == [(1, "the prompt never uses {template}")]


def test_the_nudge_prompt_is_required_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "classify.md").write_text("Sort {text}\n", encoding="utf-8")
    assert check_prompts(tmp_path) == []
    [problem] = check_prompts(tmp_path, (*REQUIRED, NUDGE))
    assert problem.message == "the prompt nudge.md is missing"
    assert "personalise: true" in problem.hint


def test_shipped_nudge_prompt_fills_every_slot() -> None:
    shipped = prompt_body((ROOT / "prompts" / "nudge.md").read_text(encoding="utf-8"))
    assert "<!--" not in shipped
    for slot in NUDGE_SLOTS:
        assert "{" + slot + "}" in shipped, slot
