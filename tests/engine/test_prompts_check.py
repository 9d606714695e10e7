"""The prompts folder check: required files, UTF-8, known slots, balanced braces."""

from __future__ import annotations

from pathlib import Path

from chatbot.engine.prompts_check import check_prompts
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
