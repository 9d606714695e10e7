"""`chatbot test`: ok/FAIL per script, unmet expectations with trace context, exit 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.cli import main
from tests.conftest import ROOT

FLOWS = str(ROOT / "flows")
GREETING = "name: {name}\nsteps:\n  - say: Добрый день\n"
MET = GREETING + "expect:\n  - {{type: reply, text: Чем помочь}}\nnever:\n  - {{type: task}}\n"
UNMET = GREETING + "expect:\n  - {{type: reply}}\n  - {{type: task, kind: lead}}\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text.format(name=name), encoding="utf-8")
    return path


def test_the_shipped_flow_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "--flows", FLOWS]) == 0
    lines = capsys.readouterr().out.splitlines()
    shipped = sorted((ROOT / "flows" / "tests").glob("*.yaml"))
    assert len(shipped) >= 4
    assert all(line.startswith("ok   ") for line in lines[:-1])
    assert lines[-1] == f"{len(shipped)} passed, 0 failed"


def test_an_unmet_expectation_fails_with_its_trace_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good", MET)
    bad = _write(tmp_path, "bad", UNMET)
    assert main(["test", str(good), str(bad), "--flows", FLOWS]) == 1
    out = capsys.readouterr().out
    assert f"ok   {good}  good" in out
    assert f"FAIL {bad}  bad" in out
    assert "     not seen in order: {type: task, kind: lead}" in out
    pointed = [line for line in out.splitlines() if line.startswith("      >")]
    assert len(pointed) == 1
    assert '"type": "reply"' in pointed[0]
    assert '"type": "stage"' in out  # the lines before it, as context
    assert out.splitlines()[-1] == "1 passed, 1 failed"


def test_json_gives_one_object_per_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "a_good", MET)
    _write(tmp_path, "b_bad", UNMET)
    assert main(["test", str(tmp_path), "--json", "--flows", FLOWS]) == 1
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(o["name"], o["ok"]) for o in objects] == [("a_good", True), ("b_bad", False)]
    assert objects[0]["unmet"] == []
    assert objects[1]["unmet"][0]["what"] == "not seen in order: {type: task, kind: lead}"
    assert isinstance(objects[1]["unmet"][0]["line"], int)
    assert objects[1]["script"] == str(tmp_path / "b_bad.yaml")


def test_a_folder_runs_every_script_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("one", "two", "three"):
        _write(tmp_path, name, MET)
    (tmp_path / "notes.txt").write_text("not a script", encoding="utf-8")
    assert main(["test", str(tmp_path), "--flows", FLOWS]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[:-1]] == [
        str(tmp_path / f"{n}.yaml") for n in ("one", "three", "two")
    ]
    assert out[-1] == "3 passed, 0 failed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nsteps: [say: hi\n", ":3:1: not valid YAML: expected ','"),
        ("steps:\n  - sing: la\n", "step 1: unknown step 'sing'"),
        ("steps:\n  - say: hi\ncounts: [{type: reply}]\n", "counts is a list like"),
    ],
    ids=["broken_yaml", "bad_step", "bad_counts"],
)
def test_an_unreadable_script_is_a_usage_error_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    good = _write(tmp_path, "good", MET)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["test", str(good), str(bad), "--flows", FLOWS]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing runs before every script is read
    assert captured.err.startswith(f"chatbot test: {bad}")
    assert message in captured.err
    assert len(captured.err.splitlines()) == 1


def test_a_missing_path_or_an_empty_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(tmp_path / "nope.yaml"), "--flows", FLOWS]) == 2
    assert (
        capsys.readouterr().err == f"chatbot test: no such script or folder: {tmp_path}/nope.yaml\n"
    )
    assert main(["test", str(tmp_path), "--flows", FLOWS]) == 2
    assert capsys.readouterr().err == f"chatbot test: no scripts (*.yaml) in {tmp_path}\n"


def test_the_help_says_which_day_scripts_start_on(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["test", "--help"])
    out = capsys.readouterr().out
    assert "2026-03-02" in out
    assert "LLM" in out
