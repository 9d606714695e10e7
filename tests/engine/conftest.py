"""Shared fixtures for engine tests: the shipped flows and a driver at a working-day morning."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatbot.admin_files.loader import load_flows
from chatbot.engine.flowset import FlowSet
from tests.engine.driver import Driver

FLOWS = Path(__file__).resolve().parents[2] / "flows"
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="session")
def flows() -> FlowSet:
    """The flows shipped in flows/."""
    return load_flows(FLOWS)


@pytest.fixture
def dialog(flows: FlowSet) -> Driver:
    """A fresh dialog on Monday 2 March 2026, 11:00 shop time."""
    return Driver(flows, datetime(2026, 3, 2, 11, 0, tzinfo=MSK))


LOOP_FLOW = """
shop: {max_steps_per_event: 5}
stages:
  new:
    on:
      - do: [{goto: a}]
  a:
    on_enter: [{goto: b}]
  b:
    on_enter: [{goto: a}]
"""


@pytest.fixture
def flows_loop(tmp_path: Path) -> Driver:
    """A driver over flows whose stages send each other back and forth."""
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "ru.yaml").write_text("hi: hi\n", encoding="utf-8")
    (tmp_path / "texts" / "en.yaml").write_text("hi: hi\n", encoding="utf-8")
    (tmp_path / "loop.yaml").write_text(LOOP_FLOW, encoding="utf-8")
    return Driver(load_flows(tmp_path), datetime(2026, 3, 2, 11, 0, tzinfo=MSK))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped flows."""
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target
