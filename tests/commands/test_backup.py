"""`chatbot backup FILE`: the copy and its summary, or the reason there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.cli import main


def test_backup_copies_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
    assert main(["migrate"]) == 0
    target = tmp_path / "copies" / "monday.db"
    assert main(["backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"to {target}:" in out
    assert "dialogs 0, messages 0" in out
    assert out.rstrip().endswith("SQLite check ok")
    assert main(["backup", str(target)]) == 1  # never over an existing copy
    assert "--replace" in capsys.readouterr().err


def test_backup_names_the_tool_for_postgresql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://root@127.0.0.1:5432/test")
    assert main(["backup", str(tmp_path / "x.db")]) == 1
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
