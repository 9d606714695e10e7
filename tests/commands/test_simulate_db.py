"""`chatbot simulate SCRIPT... --db FILE`: the conversations stay in a SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatbot.cli import main

THINKING = """\
name: thinking
channel: telegram
customer: {name: Анна, phone: "+79990001122"}
start: "2026-03-02T11:00:00+03:00"
steps:
  - say: {text: "Здравствуйте", id: m-1}
  - say: {text: "Спасибо, я подумаю", id: m-2}
  - wait: 25h
"""
SPAM = """\
name: spam
channel: whatsapp
start: "2026-03-03T12:00:00+03:00"
steps:
  - say: {text: "Заработок от 100000 в день 🔥🔥🔥🔥🔥 http://spam.example", id: m-1}
"""


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


def test_scripts_add_their_dialogs_to_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(THINKING, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(SPAM, encoding="utf-8")
    db = tmp_path / "days.db"
    scripts = [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    assert main(["simulate", *scripts, "--db", str(db)]) == 0
    assert "# thinking" in capsys.readouterr().out
    dialogs = _rows(db, "SELECT channel, close_reason FROM dialogs ORDER BY id")
    assert dialogs == [("telegram", None), ("whatsapp", "spam")]
    # The thinking customer got the first nudge 24 h later, stored with the dialog's messages.
    nudges = _rows(db, "SELECT count(*) FROM outbox WHERE payload LIKE '%nudge_1%'")
    assert nudges == [(1,)]
    # Run again: the file keeps the first run; the same ids in it are new messages, not repeats.
    assert main(["simulate", scripts[0], "--db", str(db)]) == 0
    assert _rows(db, "SELECT count(*) FROM dialogs") == [(3,)]
    assert _rows(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == [(5,)]


def test_a_broken_script_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text(THINKING, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("name: x\nsteps: [{jump: 1}]\n", encoding="utf-8")
    db = tmp_path / "days.db"
    code = main(["simulate", str(tmp_path / "a.yaml"), str(tmp_path / "bad.yaml"), "--db", str(db)])
    assert code == 2
    assert "bad.yaml" in capsys.readouterr().err
    assert not db.exists()
