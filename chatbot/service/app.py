"""Wiring the bot from settings: validated admin files, database, pipeline and scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatbot.admin_files.flow_walk import uses_personalise
from chatbot.admin_files.load import Loaded, read_admin_files
from chatbot.admin_files.prompts_check import NUDGE
from chatbot.admin_files.snapshot import AdminFiles
from chatbot.config import Settings
from chatbot.core.clock import Clock
from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.db.reach import open_database
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.engine.manager_wording import Wording
from chatbot.errors import ConfigError, FlowError
from chatbot.llm.classifier import LlmClassifier
from chatbot.llm.writer import LlmWriter
from chatbot.service.personaliser import Personaliser
from chatbot.service.pipeline import Pipeline
from chatbot.service.scheduler import Scheduler


@dataclass
class App:
    """The running parts of the bot."""

    settings: Settings
    db: Database
    pipeline: Pipeline
    scheduler: Scheduler
    llm: LlmClassifier | None = None
    writer: LlmWriter | None = None

    @property
    def files(self) -> AdminFiles:
        """The admin files in use: one snapshot, held by the pipeline, swapped whole."""
        return self.pipeline.files

    @property
    def flows(self) -> FlowSet:
        """The flows in use."""
        return self.files.flows

    @property
    def rules(self) -> RulesFn:
        """The intent rules in use."""
        return self.files.rules

    @property
    def wording(self) -> Wording:
        """The managers' texts in use."""
        return self.files.wording

    def personaliser(self) -> Personaliser:
        """The outbox's composer of personalised replies (the template while the LLM is off)."""
        return Personaliser(self.db, self.writer, shop=self.flows.shop.name)

    def read_admin_files(self) -> Loaded:
        """Read and check the admin files on disk again (file IO: call it off the event loop)."""
        return read_admin_files(self.settings.flows_dir, self.settings.prompts_dir)

    def apply(self, result: Loaded) -> bool:
        """Switch to freshly loaded files; False (the running ones stay) when they are invalid.

        Dialog states are kept as they are: a dialog in a stage the new flows no longer have
        is handled by the flows' global handlers only, so rename stages with care.
        """
        if result.files is None:
            return False
        # One reference swap: an event in flight finishes on the snapshot it took, and no
        # reader sees flows of one version with rules or texts of another.
        self.pipeline.files = result.files
        return True

    async def close(self) -> None:
        """Release the LLM clients and the database."""
        if self.llm is not None:
            await self.llm.aclose()
        if self.writer is not None:
            await self.writer.aclose()
        await self.db.dispose()


def require_flows_folder(flows_dir: Path, *, option: bool = True) -> None:
    """ConfigError when the flows folder is missing: a wrong setting, not a broken flow.

    `option`: the command takes --flows too, so the folder may come from either.
    """
    if flows_dir.is_dir():
        return
    if option:
        raise ConfigError(
            f"the flows folder {flows_dir.absolute()} does not exist "
            "(fix: set FLOWS_DIR or pass --flows to an existing folder)"
        )
    raise ConfigError(
        f"setting FLOWS_DIR={str(flows_dir)!r} is not valid: the folder {flows_dir.absolute()} "
        "does not exist (fix: run chatbot in the folder that holds flows/, or set FLOWS_DIR)"
    )


def load_admin_files(flows_dir: Path, prompts_dir: Path | None = None) -> tuple[FlowSet, RulesFn]:
    """Validated flows and rules, as `chatbot validate` checks them; FlowError lists the errors."""
    files = load_admin_snapshot(flows_dir, prompts_dir)
    return files.flows, files.rules


def load_admin_snapshot(flows_dir: Path, prompts_dir: Path | None = None) -> AdminFiles:
    """Every admin file read once and checked; FlowError lists the errors."""
    require_flows_folder(flows_dir)
    result = read_admin_files(flows_dir, prompts_dir or flows_dir.parent / "prompts")
    if result.files is None:
        raise FlowError(result.errors)
    return result.files


async def open_app(settings: Settings, clock: Clock, *, migrate: bool = True) -> App:
    """Validate admin files, open and migrate the database, build the pipeline."""
    require_flows_folder(settings.flows_dir, option=False)
    result = read_admin_files(settings.flows_dir, settings.prompts_dir)
    if result.files is None:
        raise FlowError(result.errors)
    files = result.files
    flows = files.flows
    llm = LlmClassifier.from_settings(
        settings, template=files.prompts.get("classify.md"), shop=flows.shop.name
    )
    writer = None
    if llm is not None and uses_personalise(flows):
        # One server behind both: when it fails for one, the other skips it too.
        writer = LlmWriter.from_settings(
            settings, template=files.prompts.get(NUDGE), breaker=llm.breaker
        )
    db = await open_database(settings.database_url, synchronous=settings.sqlite_synchronous)
    try:
        if migrate:
            await upgrade(db)
    except Exception:
        await db.dispose()
        raise
    pipeline = Pipeline(db, flows, files.rules, clock, llm, files.intents, settings.crm_events)
    pipeline.files = files  # the very snapshot loaded, managers' texts and prompts included
    return App(settings, db, pipeline, Scheduler(pipeline), llm, writer)
