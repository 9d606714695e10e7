"""`chatbot migrate`: apply database migrations (start-up does it too)."""

from __future__ import annotations

import argparse
import asyncio

from chatbot.config import Settings
from chatbot.db.migrate import current_revision, upgrade
from chatbot.db.reach import open_database


def register(p: argparse.ArgumentParser) -> None:
    """Add the `migrate` arguments."""
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Upgrade DATABASE_URL to the newest revision."""
    settings = Settings()

    async def _go() -> str | None:
        db = await open_database(settings.database_url, synchronous=settings.sqlite_synchronous)
        try:
            await upgrade(db)
            return await current_revision(db)
        finally:
            await db.dispose()

    revision = asyncio.run(_go())
    print(f"database at revision {revision}")
    return 0
