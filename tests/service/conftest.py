"""Fixtures for service tests: a pipeline over the shipped flows on each database backend."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.admin_files.loader import load_flows
from chatbot.core.clock import VirtualClock
from chatbot.db.database import Database
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.service.app import load_admin_files
from chatbot.service.pipeline import Pipeline
from tests.conftest import ROOT
from tests.service.fakes import keyword_rules

START = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture(scope="session")
def shipped_flows() -> FlowSet:
    """The flows in flows/."""
    return load_flows(ROOT / "flows")


@pytest.fixture(scope="session")
def shipped() -> tuple[FlowSet, RulesFn]:
    """The shipped flows and intent rules, as `chatbot simulate` loads them."""
    return load_admin_files(ROOT / "flows", ROOT / "prompts")


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock at Monday 11:00 shop time."""
    return VirtualClock(START)


@pytest.fixture
def pipeline(db: Database, shipped_flows: FlowSet, clock: VirtualClock) -> Pipeline:
    """The real pipeline with keyword rules."""
    return Pipeline(db, shipped_flows, keyword_rules, clock)
