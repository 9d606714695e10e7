"""`chatbot report`: JSON, CSV and text from a file `chatbot simulate --db` filled."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from chatbot.cli import main
from tests.conftest import ROOT
from tests.service.test_report import EXPECTED

DAYS = sorted(str(p) for p in (ROOT / "tests" / "service" / "report_days").glob("*.yaml"))
MARCH = ["--from", "2026-03-01", "--to", "2026-03-31"]


@pytest.fixture(scope="module")
def days_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The ten known conversations in one SQLite file, as an admin would make it; and the
    WhatsApp templates and skipped messages its trace shows."""
    path = tmp_path_factory.mktemp("report") / "days.db"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["simulate", *DAYS, "--db", str(path), "--json"]) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    templates = sum(1 for x in lines if x["type"] == "reply" and x["template"])
    skipped = sum(1 for x in lines if x["type"] == "skipped")
    return path, {"templates": templates, "skipped": skipped}


@pytest.fixture
def on_days(days_db: tuple[Path, dict[str, int]], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{days_db[0]}")
    monkeypatch.setenv("FLOWS_DIR", str(ROOT / "flows"))
    monkeypatch.setenv("PROMPTS_DIR", str(ROOT / "prompts"))
    return days_db[0]


def test_json_is_the_contract_object(
    days_db: tuple[Path, dict[str, int]], on_days: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["report", *MARCH, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED | {"whatsapp": days_db[1]}


def test_csv_writes_one_file_per_table(
    on_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *MARCH, "--csv", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["closes_per_day.csv", "managers.csv", "summary.csv", "worth_a_look.csv"]
    with (tmp_path / "out" / "summary.csv").open(encoding="utf-8") as handle:
        summary = dict(csv.reader(handle))
    assert summary["nudges.replied"] == "1"
    assert summary["dialogs.closed.thanks"] == "2"
    with (tmp_path / "out" / "closes_per_day.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1:] == [
        ["2026-03-02", "spam", "1"],
        ["2026-03-02", "thanks", "1"],
        ["2026-03-04", "thanks", "1"],
        ["2026-03-09", "no_reply", "1"],
    ]


def test_text_names_the_shop_and_managers(
    on_days: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["report", *MARCH]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Шарики и праздник: 2026-03-01 .. 2026-03-31")
    assert "manager Ольга: 1 dialogs, 2 messages, 7.5 min on average, 1 breaches" in out


def test_bad_dates_exit_2(on_days: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--from", "2026-02-30"]) == 2
    assert "--from '2026-02-30' is not a date" in capsys.readouterr().err
    assert main(["report", "--from", "2026-03-09", "--to", "2026-03-01"]) == 2
    assert "is after --to" in capsys.readouterr().err


def test_an_unmigrated_database_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # a file with no tables
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert main(["report", "--json"]) == 1
    assert "chatbot migrate" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert main(["report"]) == 1
    assert "no database at" in capsys.readouterr().err


def test_html_writes_the_page_in_the_shops_language(on_days: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["report", *MARCH, "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert "Шарики и праздник" in text
    assert "Отчёт о работе чатов" in text  # flows/shop.yaml: default_lang ru
