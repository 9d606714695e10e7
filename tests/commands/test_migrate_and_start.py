"""`chatbot migrate` creates the tables; `chatbot start` picks the console without tokens."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.cli import main
from chatbot.db.migrate import head_revision
from tests.conftest import ROOT


def test_migrate_creates_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "deep" / "bot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # applying twice is harmless
    assert f"database at revision {head_revision()}" in capsys.readouterr().out
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"customers", "dialogs", "messages", "timers", "tasks", "outbox", "crm_events",
            "manager_responses"} <= tables  # fmt: skip


def _start(tmp_path: Path, env: dict[str, str], stdin: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
            "FLOWS_DIR": str(ROOT / "flows"), "PROMPTS_DIR": str(ROOT / "prompts"),
            "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "start"],
        input=stdin, capture_output=True, text=True, env={**base, **env}, timeout=60,
        cwd=tmp_path, check=False,
    )  # fmt: skip


def test_start_without_tokens_opens_the_console(tmp_path: Path) -> None:
    done = _start(tmp_path, {}, "Здравствуйте\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "starting the console chat" in done.stderr
    assert "bot> Здравствуйте! Это магазин" in done.stdout


def test_start_refuses_invalid_flows(tmp_path: Path) -> None:
    import shutil

    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    (flows / "dialog.yaml").write_text(
        (flows / "dialog.yaml")
        .read_text(encoding="utf-8")
        .replace("after: 10h", "after: 10 hours"),
        encoding="utf-8",
    )
    done = _start(tmp_path, {"FLOWS_DIR": str(flows)}, "")
    assert done.returncode == 1
    assert "refusing to start" in done.stderr
    assert "dialog.yaml:" in done.stderr
    assert "bad duration" in done.stderr


def test_run_refuses_a_crm_webhook_without_its_secret(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
            "FLOWS_DIR": str(ROOT / "flows"), "PROMPTS_DIR": str(ROOT / "prompts"),
            "PYTHONPATH": str(ROOT), "CRM_WEBHOOK_URL": "https://crm.example/hooks"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "chatbot.cli", "run"], capture_output=True,
                          text=True, env=base, timeout=60, cwd=tmp_path, check=False)  # fmt: skip
    assert done.returncode == 1
    assert "refusing to start" in done.stderr
    assert "CRM_WEBHOOK_SECRET" in done.stderr
