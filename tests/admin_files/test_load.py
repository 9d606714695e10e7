"""One load of the admin files: each read once, into an immutable snapshot or file:line problems."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from chatbot.admin_files.load import read_admin_files
from chatbot.admin_files.snapshot import AdminFiles
from chatbot.engine.manager_wording import RU
from tests.conftest import ROOT, edit_file

PROMPTS = ROOT / "prompts"


def test_the_shipped_files_load_into_a_snapshot() -> None:
    loaded = read_admin_files(ROOT / "flows", PROMPTS)
    assert loaded.errors == ()
    files = loaded.files
    assert files is not None
    assert "new" in files.flows.stages
    assert files.rules("Здравствуйте").intent == "greeting"
    assert "greeting" in files.intents
    assert files.wording == RU
    assert "{text}" in files.prompts["classify.md"]


def test_the_snapshot_is_immutable() -> None:
    files = read_admin_files(ROOT / "flows", PROMPTS).files
    assert files is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        files.flows = files.flows  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        files.wording = RU  # type: ignore[misc]
    with pytest.raises(TypeError):
        files.prompts["classify.md"] = "other"  # type: ignore[index]


def test_a_broken_file_gives_problems_with_file_and_line_and_no_snapshot(copy: Path) -> None:
    line = edit_file(copy / "dialog.yaml", "after: 10h", "after: 10 hours")
    rules_line = edit_file(copy / "intents" / "ru.yaml", "intents:\n", "intents: [\n")
    words_line = edit_file(copy / "managers" / "ru.yaml", 'take: "✋ Взять"', 'take: "{it}"')
    loaded = read_admin_files(copy, PROMPTS)
    assert loaded.files is None
    where = {(Path(p.file).relative_to(copy).as_posix(), p.line) for p in loaded.errors}
    assert ("dialog.yaml", line) in where
    assert ("managers/ru.yaml", words_line) in where
    assert any(file == "intents/ru.yaml" and n >= rules_line for file, n in where)


def test_each_file_is_read_once_per_load(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: Counter[Path] = Counter()
    read_text = Path.read_text

    def counted(path: Path, *args: object, **kwargs: object) -> str:
        reads[path] += 1
        return read_text(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counted)
    assert read_admin_files(copy, PROMPTS).files is not None
    assert copy / "intents" / "ru.yaml" in reads
    assert copy / "managers" / "ru.yaml" in reads
    assert PROMPTS / "classify.md" in reads
    assert [path for path, n in reads.items() if n > 1] == []


def test_a_snapshot_of_flows_and_rules_alone_has_the_built_in_texts() -> None:
    files = read_admin_files(ROOT / "flows", PROMPTS).files
    assert files is not None
    alone = AdminFiles.of(files.flows, files.rules)
    assert alone.wording == RU
    assert dict(alone.prompts) == {}
