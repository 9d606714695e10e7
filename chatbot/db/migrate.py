"""Applying Alembic migrations to the configured database (`chatbot migrate` and start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from chatbot.db.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: instances starting together on one PostgreSQL database take turns on it.
MIGRATION_LOCK_KEY = 0x63686174


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    """Apply migrations up to `revision` in one transaction."""
    cfg = alembic_config()

    def _run(sync_conn: Any) -> None:
        if sync_conn.dialect.name == "postgresql":
            # Held until this transaction ends; the next instance then finds the head applied.
            sync_conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(_run)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (None when never migrated)."""

    def _read(sync_conn: Any) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(_read)


def head_revision() -> str:
    """The newest revision shipped with the package."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
