"""`chatbot migrate` creates the tables; `chatbot start` picks the console without tokens."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.cli import main
from chatbot.db.migrate import head_revision
from chatbot.db.reach import FIX_REACH
from tests.conftest import ROOT, closed_port


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
    assert {
        "customers",
        "dialogs",
        "messages",
        "timers",
        "tasks",
        "outbox",
        "crm_events",
        "manager_responses",
    } <= tables


def _start(tmp_path: Path, env: dict[str, str], stdin: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "start"],
        input=stdin,
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


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
    base = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "FLOWS_DIR": str(ROOT / "flows"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "PYTHONPATH": str(ROOT),
        "CRM_WEBHOOK_URL": "https://crm.example/hooks",
    }
    done = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "run"],
        capture_output=True,
        text=True,
        env=base,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2  # a setting problem, like the others
    assert "refusing to start" in done.stderr
    assert "CRM_WEBHOOK_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


def _chatbot(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`chatbot ARGV` in a fresh process in tmp_path (no flows/ there unless FLOWS_DIR says)."""
    base = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *argv],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=300,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_migrate_on_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql+asyncpg://bot:secret@127.0.0.1:{port}/shop"
    done = _chatbot(tmp_path, "migrate", DATABASE_URL=url)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"chatbot: DATABASE_URL='postgresql+asyncpg://bot:***@127.0.0.1:{port}/shop' cannot be "
        f"reached: ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', {port}) "
        f"({FIX_REACH})\n"
    )


def test_migrate_on_a_malformed_database_url_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _chatbot(tmp_path, "migrate", DATABASE_URL="postgres://bot:secret@db/shop")
    assert done.returncode == 2
    assert done.stderr == (
        "chatbot: setting DATABASE_URL='postgres://bot:***@db/shop' is not valid: Value error, "
        "the URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://, e.g. "
        "sqlite+aiosqlite:///storage/chatbot.db (see .env.example)\n"
    )


def test_run_on_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql+asyncpg://bot@127.0.0.1:{port}/shop"
    done = _chatbot(tmp_path, "run", DATABASE_URL=url, FLOWS_DIR=str(ROOT / "flows"))
    assert done.returncode == 2
    assert done.stderr == (
        f"chatbot: DATABASE_URL='{url}' cannot be reached: ConnectionRefusedError: [Errno 111] "
        f"Connect call failed ('127.0.0.1', {port}) ({FIX_REACH})\n"
    )


def test_start_without_a_flows_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _start(tmp_path, {"FLOWS_DIR": "flows"}, "")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    # the line before says which runtime start chose
    assert done.stderr.splitlines()[-1] == (
        f"chatbot: setting FLOWS_DIR='flows' is not valid: the folder {tmp_path / 'flows'} does "
        "not exist (fix: run chatbot in the folder that holds flows/, or set FLOWS_DIR)"
    )


def test_run_with_flows_dir_pointing_nowhere_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _chatbot(tmp_path, "run", FLOWS_DIR=str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert done.stderr == (
        f"chatbot: setting FLOWS_DIR='{tmp_path / 'nowhere'}' is not valid: the folder "
        f"{tmp_path / 'nowhere'} does not exist "
        "(fix: run chatbot in the folder that holds flows/, or set FLOWS_DIR)\n"
    )


def test_simulate_with_a_missing_flows_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    script = ROOT / "flows" / "tests" / "01_greeting_gets_the_menu.yaml"
    done = _chatbot(tmp_path, "simulate", str(script), "--flows", "nope")
    assert done.returncode == 2
    assert done.stderr == (
        f"chatbot: the flows folder {tmp_path / 'nope'} does not exist "
        "(fix: set FLOWS_DIR or pass --flows to an existing folder)\n"
    )
