"""`chatbot validate` and `chatbot schema`: exit codes, file:line messages, a fresh schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatbot.cli import main
from chatbot.commands.schema import flow_schema
from tests.conftest import ROOT


@pytest.fixture
def admin(tmp_path: Path) -> tuple[Path, Path]:
    """Writable copies of the shipped flows and prompts."""
    flows, prompts = tmp_path / "flows", tmp_path / "prompts"
    shutil.copytree(ROOT / "flows", flows)
    shutil.copytree(ROOT / "prompts", prompts)
    return flows, prompts


def _validate(admin: tuple[Path, Path]) -> list[str]:
    return ["validate", "--flows", str(admin[0]), "--prompts", str(admin[1])]


def test_shipped_files_are_valid(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_validate(admin)) == 0
    assert "flows OK:" in capsys.readouterr().out


def test_broken_copy_lists_every_error(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flows, prompts = admin
    dialog = flows / "dialog.yaml"
    text = dialog.read_text(encoding="utf-8").replace("- goto: thinking", "- goto: thinkng", 1)
    dialog.write_text(text.replace("after: 24h", "after: 24 hours", 1), encoding="utf-8")
    en = flows / "texts" / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("missed_call:", "# missed_call:"),
                  encoding="utf-8")  # fmt: skip
    (prompts / "classify.md").write_text("Sort {text} by {mood}\n", encoding="utf-8")
    assert main(_validate(admin)) == 1
    out = capsys.readouterr().out
    assert "dialog.yaml:" in out
    assert "bad duration '24 hours'" in out
    assert out.rstrip().endswith("warnings")
    assert "classify.md:1: error: unknown slot {mood}" in out


def test_semantic_errors_have_file_line_flow_and_stage(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flows, _ = admin
    dialog = flows / "dialog.yaml"
    text = dialog.read_text(encoding="utf-8")
    line = text[: text.index("          - goto: details")].count("\n") + 1
    dialog.write_text(text.replace("          - goto: details", "          - goto: detail", 1),
                      encoding="utf-8")  # fmt: skip
    en = flows / "texts" / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("missed_call:", "# missed_call:"),
                  encoding="utf-8")  # fmt: skip
    assert main(_validate(admin)) == 1
    out = capsys.readouterr().out
    assert f"dialog.yaml:{line}: error: unknown stage 'detail' [flow=dialog stage=menu]" in out
    assert "missing translation: 'missed_call' has no en text" in out


def test_missing_prompts_folder(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(admin[1])
    assert main(_validate(admin)) == 1
    assert "the prompts folder does not exist" in capsys.readouterr().out


def test_schema_is_generated_and_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$schema"].startswith("https://json-schema.org/")
    assert "stages" in printed["properties"]
    assert "continue" in json.dumps(printed["$defs"]["Handler"])
    shipped = json.loads((ROOT / "flows" / "flow.schema.json").read_text(encoding="utf-8"))
    assert shipped == flow_schema(), "run: chatbot schema --output flows/flow.schema.json"
