"""`chatbot validate`: exit codes and file:line messages on shipped and broken admin files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from chatbot.cli import main
from tests.conftest import ROOT, edit_file


@pytest.fixture
def admin(tmp_path: Path) -> tuple[Path, Path]:
    """Writable copies of the shipped flows and prompts."""
    flows, prompts = tmp_path / "flows", tmp_path / "prompts"
    shutil.copytree(ROOT / "flows", flows)
    shutil.copytree(ROOT / "prompts", prompts)
    return flows, prompts


def _validate(admin: tuple[Path, Path]) -> list[str]:
    return ["validate", "--flows", str(admin[0]), "--prompts", str(admin[1])]


def _line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def test_shipped_files_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["validate", "--flows", str(ROOT / "flows"), "--prompts", str(ROOT / "prompts")]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert re.fullmatch(
        r"flows OK: \d+ stages, \d+ timers, \d+ menus, \d+ texts per language \(en, ru\); "
        r"0 warnings",
        out[0],
    )


def test_bad_duration_is_located(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    dialog = admin[0] / "dialog.yaml"
    line = _line_of(dialog, "after: 24h")
    edit_file(dialog, "after: 24h", "after: 24 hours")
    assert main(_validate(admin)) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(
        o.startswith(f"{dialog}:{line}: error: ") and "bad duration '24 hours'" in o for o in out
    )
    assert out[-1] == "1 errors, 0 warnings"


def test_semantic_errors_have_file_line_flow_and_stage(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flows, _ = admin
    dialog = flows / "dialog.yaml"
    line = _line_of(dialog, "          - goto: details")
    edit_file(dialog, "          - goto: details", "          - goto: detail")
    ru, en = flows / "texts" / "ru.yaml", flows / "texts" / "en.yaml"
    ru_line = _line_of(ru, "missed_call:")
    edit_file(en, "missed_call:", "# missed_call:")
    assert main(_validate(admin)) == 1
    out = capsys.readouterr().out
    assert f"{dialog}:{line}: error: unknown stage 'detail' [flow=dialog stage=menu]" in out
    assert f"{ru}:{ru_line}: error: missing translation: 'missed_call' has no en text" in out
    assert "(fix: add missed_call: to flows/texts/en.yaml)" in out
    assert re.search(r"^2 errors, \d+ warnings$", out, re.MULTILINE)


def test_prompt_problems_are_listed_with_the_flows(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flows, prompts = admin
    edit_file(flows / "dialog.yaml", "- goto: thinking", "- goto: thinkng")
    (prompts / "classify.md").write_text("Sort {text}\nby {mood}\n", encoding="utf-8")
    (prompts / "reply.md").write_text("  \n", encoding="utf-8")
    assert main(_validate(admin)) == 1
    out = capsys.readouterr().out
    assert "unknown stage 'thinkng'" in out
    assert f"{prompts / 'classify.md'}:2: error: unknown slot {{mood}}" in out
    assert f"{prompts / 'reply.md'}:1: error: the prompt is empty" in out
    # the misspelt goto was the only way into stage thinking: it is reported unreachable too
    assert "stage 'thinking' is unreachable" in out
    assert out.splitlines()[-1] == "3 errors, 1 warnings"


def test_personalised_replies_need_the_nudge_prompt(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flows, prompts = admin
    (prompts / "nudge.md").unlink()
    assert main(_validate(admin)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{prompts / 'nudge.md'}:1: error: the prompt nudge.md is missing")
    assert "a flow reply says personalise: true" in out[0]
    for key in ("nudge_1", "nudge_2", "come_back_follow_up"):
        edit_file(flows / "dialog.yaml", f"{{text: {key}, personalise: true}}", key)
    assert main(_validate(admin)) == 0  # without the option, no prompt is needed


def test_missing_prompts_folder(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(admin[1])
    assert main(_validate(admin)) == 1
    assert "the prompts folder does not exist" in capsys.readouterr().out


def test_missing_flows_folder_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", "--flows", str(tmp_path / "nope"), "--prompts", str(ROOT / "prompts")])
    assert code == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'nope'}:1: error: the flows folder does not exist "
        "(fix: set FLOWS_DIR or pass --flows to an existing folder)",
        "1 errors, 0 warnings",
    ]


def test_broken_intent_rules_are_reported(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules = sorted((admin[0] / "intents").glob("*.yaml"))[-1]
    rules.write_text("this: [is not closed\n", encoding="utf-8")
    assert main(_validate(admin)) == 1
    assert f"{rules}:" in capsys.readouterr().out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--no-such-option"])
    assert exc.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_json_lists_each_problem_with_the_same_exit_code(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    dialog = admin[0] / "dialog.yaml"
    line = edit_file(dialog, "- goto: thinking", "- goto: thinkng")
    assert main([*_validate(admin), "--json"]) == 1
    problems = [json.loads(row) for row in capsys.readouterr().out.splitlines()]
    assert [(p["severity"], p["message"]) for p in problems] == [
        ("error", "unknown stage 'thinkng'"),
        ("warning", "stage 'thinking' is unreachable: no goto leads to it"),
    ]
    error = problems[0]
    assert (error["file"], error["line"], error["flow"]) == (str(dialog), line, "dialog")
    assert error["hint"].startswith("define it under stages:")
    assert set(error) == {"file", "line", "severity", "message", "hint", "flow", "stage"}


def test_json_prints_nothing_for_valid_files(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["validate", "--flows", str(ROOT / "flows"), "--prompts", str(ROOT / "prompts")]
    assert main([*argv, "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_json_with_warnings_only_exits_0(
    admin: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    dialog = admin[0] / "dialog.yaml"
    orphan = "stages:\n  orphan:\n    description: nobody\n  new:"
    line = edit_file(dialog, "stages:\n  new:", orphan)
    assert main([*_validate(admin), "--json"]) == 0
    problems = [json.loads(row) for row in capsys.readouterr().out.splitlines()]
    assert [(p["severity"], p["file"], p["line"], p["stage"]) for p in problems] == [
        ("warning", str(dialog), line + 1, "orphan")
    ]
