"""Every conversation script still passes when the configured LLM is down or hangs.

The LLM is an optional helper: a closed port or a server that never answers must leave the
rules' decisions, and no event may wait longer than the LLM deadline (plus what a busy machine
adds). One client serves all scripts, as in `chatbot simulate`, so after three failures the
circuit breaker skips the server and the run stays short.
"""

from __future__ import annotations

import socket
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.core.trace import TraceEntry
from chatbot.db import reports
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.llm.classifier import LlmClassifier
from chatbot.ports.inbound import Inbound
from chatbot.service.app import load_admin_files
from chatbot.service.expectations import TEST_DAY
from chatbot.service.pipeline import Outcome, Pipeline
from chatbot.service.scheduler import Scheduler
from chatbot.service.script import Script, load_script
from chatbot.service.simulator import Simulation, SimulationReport, default_start
from tests.conftest import ROOT
from tests.llm import fake_openai as f
from tests.scenarios.expectations import assert_expectations

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))
DEADLINE = 0.5  # seconds, LLM_DEADLINE_SECONDS of this run
MARGIN = 1.0  # seconds a loaded machine may add to one event besides the LLM
TODAY = TEST_DAY


class TimedPipeline(Pipeline):
    """The real pipeline, remembering how long the slowest event took."""

    slowest = 0.0

    async def handle(self, inbound: Inbound) -> Outcome:
        started = time.monotonic()
        try:
            return await super().handle(inbound)
        finally:
            self.slowest = max(self.slowest, time.monotonic() - started)


@pytest.fixture(scope="module")
def admin() -> tuple[FlowSet, RulesFn]:
    return load_admin_files(ROOT / "flows")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the socket is closed


@pytest.fixture(params=["closed_port", "hanging"])
async def base_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """An LLM server that refuses connections, or one that accepts and never answers."""
    if request.param == "closed_port":
        yield f"http://127.0.0.1:{closed_port()}/v1"
        return
    server = f.FakeOpenAI()
    server.default = f.HANG
    await server.start()
    yield server.base_url
    await server.close()


async def run_script(
    script: Script, flows: FlowSet, rules: RulesFn, llm: LlmClassifier
) -> tuple[list[TraceEntry], SimulationReport, float]:
    """Run a script as `simulate_with_report` does; its trace, report and slowest event."""
    with tempfile.TemporaryDirectory(prefix="chatbot-offline-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'sim.db'}")
        try:
            return await _run_on(db, script, flows, rules, llm)
        finally:
            await db.dispose()


async def _run_on(
    db: Database, script: Script, flows: FlowSet, rules: RulesFn, llm: LlmClassifier
) -> tuple[list[TraceEntry], SimulationReport, float]:
    await upgrade(db)
    clock = VirtualClock(script.start or default_start(flows, TODAY))
    pipeline = TimedPipeline(db, flows, rules, clock, llm)
    sim = Simulation(script, pipeline, Scheduler(pipeline), clock, [])
    for step in script.steps:
        await sim.run_step(step)
    async with db.transaction() as session:
        counts = await reports.counts(session)
    return (
        sim.trace,
        SimulationReport(counts.tasks, counts.breaches, counts.skipped),
        pipeline.slowest,
    )


async def test_every_script_passes_without_the_llm(
    base_url: str, admin: tuple[FlowSet, RulesFn]
) -> None:
    flows, rules = admin
    settings = Settings(
        LLM_BASE_URL=base_url,
        LLM_MODEL="unreachable-model",
        LLM_DEADLINE_SECONDS=DEADLINE,
        LLM_TIMEOUT_SECONDS=DEADLINE,
        PROMPTS_DIR=ROOT / "prompts",
    )
    llm = LlmClassifier.from_settings(settings, shop=flows.shop.name)
    assert llm is not None
    tz = ZoneInfo(flows.shop.timezone)
    try:
        for path in SCENARIOS:
            script = load_script(path)
            trace, report, slowest = await run_script(script, flows, rules, llm)
            assert_expectations(script, trace, report, tz)
            assert slowest <= DEADLINE + MARGIN, f"{path.name}: an event took {slowest:.2f} s"
            assert all(t.fields["source"] != "llm" for t in trace if t.type == "intent")
    finally:
        await llm.aclose()
    stats = llm.stats
    assert stats.ok == 0
    assert stats.calls >= 3  # the LLM was really asked ...
    assert stats.skipped > stats.calls  # ... until the breaker stopped asking it
