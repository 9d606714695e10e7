"""Wiring the bot from settings: validated admin files, database, pipeline and scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatbot.config import Settings
from chatbot.core.clock import Clock
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.engine.flowset import FlowSet
from chatbot.engine.loader import load_flows
from chatbot.intents.decision import RulesFn
from chatbot.service.pipeline import Pipeline
from chatbot.service.rules_source import load_rules_fn
from chatbot.service.scheduler import Scheduler


@dataclass
class App:
    """The running parts of the bot."""

    settings: Settings
    flows: FlowSet
    rules: RulesFn
    db: Database
    pipeline: Pipeline
    scheduler: Scheduler

    async def close(self) -> None:
        """Release the database."""
        await self.db.dispose()


def load_admin_files(flows_dir: Path) -> tuple[FlowSet, RulesFn]:
    """Validated flows and rules; FlowError lists every problem (file:line, fix)."""
    flows = load_flows(flows_dir)
    return flows, load_rules_fn(flows_dir, flows)


async def open_app(settings: Settings, clock: Clock, *, migrate: bool = True) -> App:
    """Validate admin files, open and migrate the database, build the pipeline."""
    flows, rules = load_admin_files(settings.flows_dir)
    db = Database(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
    except Exception:
        await db.dispose()
        raise
    pipeline = Pipeline(db, flows, rules, clock)
    return App(settings, flows, rules, db, pipeline, Scheduler(pipeline))
