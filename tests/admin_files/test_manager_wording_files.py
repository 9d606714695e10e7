"""The managers' texts in flows/managers/<lang>.yaml: applied over the built-in ones, checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatbot.admin_files.manager_wording_files import check_wording, html_problem, wording_in
from chatbot.cli import main
from chatbot.engine.manager_wording import EN, RU
from chatbot.errors import FlowError, Problem
from chatbot.service.app import load_admin_files
from tests.conftest import ROOT


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    folder = tmp_path / "custom" / "managers"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ru.yaml").write_text(text, encoding="utf-8")
    return check_wording(tmp_path / "custom")


def test_the_shipped_files_hold_the_built_in_texts() -> None:
    assert check_wording(ROOT / "flows") == []
    assert wording_in(ROOT / "flows", "ru") == RU
    assert wording_in(ROOT / "flows", "en") == EN


def test_a_file_changes_only_what_it_lists(tmp_path: Path) -> None:
    assert _problems(tmp_path, 'take: "🙋 Беру"\nkinds:\n  human: "зовёт человека"\n') == []
    words = wording_in(tmp_path / "custom", "ru")
    assert words.take == "🙋 Беру"
    assert words.done == RU.done
    assert words.kinds["human"] == "зовёт человека"
    assert words.kinds["lead"] == RU.kinds["lead"]


def test_a_language_without_a_file_has_the_built_in_english(tmp_path: Path) -> None:
    assert wording_in(tmp_path, "de") == EN  # no managers folder at all
    assert check_wording(tmp_path) == []


def test_an_unknown_name_is_located_with_a_suggestion(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, 'done: "Готово"\ntakee: "Беру"\n')
    assert (problem.line, problem.message) == (2, "unknown managers' text 'takee'")
    assert problem.hint == "did you mean 'take'?"
    assert problem.file.endswith("managers/ru.yaml")


def test_a_placeholder_the_text_does_not_have_is_refused(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, 'took: "Задача #{id} ваша, {name}"\n')
    assert problem.message == "the text 'took' uses unknown {name}"
    assert problem.hint == "it may use {id}"


def test_a_stray_brace_is_refused(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, 'no_tasks: "Задач нет }"\n')
    assert "stray brace" in problem.message
    assert "{{" in problem.hint


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("<b>Задача #{id}</b> не взята: {reason}", None),
        ('<a href="https://x.example/?a=1&amp;b=2">карточка</a> {reason}', None),
        ("<b>Задача #{id} не взята: {reason}", "<b> is never closed"),
        ("<b>Задача</i> {reason}", "</i> closes a tag that is not open"),
        ("<h1>Задача</h1> {reason}", "<h1> is not a tag Telegram knows"),
        ("Задача #{id}: < 5 минут", "a bare < or >"),
        ("Задача #{id} & {reason}", "a bare &"),
    ],
)
def test_html_texts_must_be_what_telegram_accepts(text: str, why: str | None) -> None:
    assert html_problem(text) == why


def test_an_html_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, '\nsla_alert: "<b>Задача #{id} не взята: {reason}."\n')
    assert problem.line == 2
    assert problem.message == "the text 'sla_alert' is not valid Telegram HTML: <b> is never closed"


def test_plain_texts_may_hold_angle_brackets(tmp_path: Path) -> None:
    assert _problems(tmp_path, 'take: "Беру -> себе"\nnot_found: "Нет & нет"\n') == []


def test_wrong_shapes_are_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "take: [a, b]\nkinds: лид\n")
    assert [p.message for p in problems] == [
        "the text 'take' is not a string",
        "kinds maps task kinds to their names",
    ]
    assert [p.message for p in _problems(tmp_path, "- take\n")] == [
        "a managers' texts file maps text names to texts"
    ]


def test_validate_lists_the_error_and_start_up_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    managers = flows / "managers" / "en.yaml"
    managers.write_text('take: "Take {it}"\n', encoding="utf-8")
    args = ["--flows", str(flows), "--prompts", str(ROOT / "prompts")]
    assert main(["validate", *args]) == 1
    out = capsys.readouterr().out
    assert f"{managers}:1: error: the text 'take' uses unknown {{it}}" in out
    assert "(fix: it may use no placeholders)" in out
    with pytest.raises(FlowError, match="uses unknown"):
        load_admin_files(flows, ROOT / "prompts")
