"""The report page: self-contained, in the shop's language, and drawn (headless Chromium)."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.service.report import Report, build_report
from chatbot.service.report_html import render_html
from tests.service.png_pixels import gray_pixels
from tests.service.test_report import simulate_days

MSK = ZoneInfo("Europe/Moscow")
MADE = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def report(tmp_path: Path, shipped: tuple[FlowSet, RulesFn]) -> Report:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'days.db'}")
    try:
        await upgrade(db)
        await simulate_days(db, *shipped)
        return await build_report(db, date(2026, 3, 1), date(2026, 3, 14), MSK)
    finally:
        await db.dispose()


def test_the_page_needs_nothing_from_outside(report: Report) -> None:
    page = render_html(report, "Шарики и праздник", "ru", MSK, MADE)
    assert "<script" not in page
    # No stylesheet, font, image or frame is fetched: every src/href stays in the page.
    assert re.findall(r'(?:src|href)\s*=\s*"(?!#)', page) == []
    assert "url(" not in page
    assert page.count("<svg") == 4  # funnel, managers, closes per day, ratings


def test_the_page_speaks_the_shops_language(report: Report) -> None:
    ru = render_html(report, "Шарики и праздник", "ru", MSK, MADE)
    en = render_html(report, "Party Balloons", "en", MSK, MADE)
    assert '<html lang="ru">' in ru
    assert "Воронка: от чата до оплаты" in ru
    assert '<html lang="en">' in en
    assert "Funnel: from chat to payment" in en
    for page in (ru, en):
        assert "Дарья +79990000005" in page  # the customer who waited, with her phone
        assert "Ольга" in page
        assert "Пётр" in page
        assert "NPS 0" in page
    assert "Клиент ждал ответа" in ru
    assert "Customer waited" in en


def test_chromium_draws_the_page(report: Report, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium binary here (Debian's `chromium` package; .ci/run installs it)")
    page = tmp_path / "report.html"
    page.write_text(render_html(report, "Шарики и праздник", "ru", MSK, MADE), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, gray = gray_pixels(shot)
    assert (width, height) == (1000, 1400)
    # A blank page is one colour; this one has text, cards and coloured bars on light grey.
    assert statistics.pstdev(gray) > 20
    dark = sum(1 for g in gray if g < 100) / len(gray)
    assert 0.005 < dark < 0.5
