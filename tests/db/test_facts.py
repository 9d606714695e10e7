"""dialog_facts: migration 0005 keeps earlier closes; a step's facts land with its event."""

from __future__ import annotations

import sqlalchemy as sa

from chatbot.db.database import Database
from chatbot.db.migrate import upgrade
from chatbot.db.tables import CustomerRow
from chatbot.db.types import UtcDateTime
from tests.db.test_migrations import CLOSED_AT, _downgrade

# The dialogs table before 0005 is the one of today; listed here so the test does not depend
# on DialogRow's later columns.
_DIALOGS = sa.table(
    "dialogs",
    *map(
        sa.column,
        (
            "id",
            "customer_id",
            "channel",
            "chat_id",
            "stage",
            "closed",
            "close_reason",
            "paused",
            "flags",
            "lang",
            "version",
        ),
    ),
    sa.column("state", sa.JSON()),
    sa.column("closed_at", UtcDateTime()),
    sa.column("created_at", UtcDateTime()),
    sa.column("updated_at", UtcDateTime()),
)


async def test_dialogs_closed_before_0005_count_their_close(db: Database) -> None:
    await _downgrade(db, "0004")
    async with db.engine.begin() as conn:
        await conn.execute(sa.insert(CustomerRow).values(id=1, name="Анна", created_at=CLOSED_AT))
        for id_, reason in ((1, "spam"), (2, None)):
            await conn.execute(
                sa.insert(_DIALOGS).values(
                    id=id_,
                    customer_id=1,
                    channel="telegram",
                    chat_id=str(id_),
                    stage="new",
                    closed=reason is not None,
                    close_reason=reason,
                    paused=False,
                    flags="",
                    lang="ru",
                    version=1,
                    state={},
                    created_at=CLOSED_AT,
                    updated_at=CLOSED_AT,
                    closed_at=CLOSED_AT if reason else None,
                )
            )
    await upgrade(db)
    async with db.snapshot() as session:
        rows = await session.execute(
            sa.text("SELECT dialog_id, kind, name FROM dialog_facts ORDER BY id")
        )
        assert [tuple(r) for r in rows] == [(1, "closed", "spam")]
    await _downgrade(db, "0004")  # and back: the table goes, the dialogs stay
    async with db.snapshot() as session:
        assert await session.scalar(sa.text("SELECT count(*) FROM dialogs")) == 2
