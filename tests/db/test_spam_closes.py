"""The spam closes managers review, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatbot.core.state import DialogState
from chatbot.db import dialogs, inbox, spam_closes
from chatbot.db.database import Database
from chatbot.ports.inbound import CustomerInfo

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SPAM = "Заработок от 100к в неделю 💰💰💰💰 t.me/bestjob"


async def _closed(
    db: Database,
    chat: str,
    at: datetime,
    reason: str = "spam",
    flags: frozenset[str] = frozenset({"spammer"}),
    said: tuple[str, ...] = (SPAM,),
) -> int:
    """A dialog whose messages came just before `at`, closed then with `reason`."""
    who = CustomerInfo(name=f"Клиент {chat}")
    d = await db.write(dialogs.create_dialog, "telegram", chat, who, at, "ru")
    assert d is not None
    for n, text in enumerate(said):
        sent = at - timedelta(seconds=len(said) - 1 - n)
        await db.write(inbox.record_inbound, d.id, "telegram", f"{chat}-{n}", text, sent)
    state = DialogState(
        channel="telegram", closed=True, close_reason=reason, closed_at=at, flags=flags, version=1
    )
    assert await db.write(dialogs.save_state, d.id, state, 0, at)
    return d.id


async def test_spam_closes_since_a_moment_newest_first(db: Database) -> None:
    older = await _closed(db, "1", NOW - timedelta(days=1))
    first = await _closed(db, "2", NOW + timedelta(hours=1))
    second = await _closed(db, "3", NOW + timedelta(hours=2), said=("Привет", SPAM))
    await _closed(db, "4", NOW + timedelta(hours=3), reason="thanks", flags=frozenset())
    async with db.snapshot() as session:
        found, total = await spam_closes.spam_closes(session, NOW, limit=10)
        week, week_total = await spam_closes.spam_closes(session, NOW - timedelta(days=7), 1)
    assert [c.dialog_id for c in found] == [second, first]
    assert total == 2
    assert found[0].customer_name == "Клиент 3"
    assert found[0].channel == "telegram"
    assert found[0].chat_id == "3"
    assert found[0].closed_at == NOW + timedelta(hours=2)
    assert found[0].text == SPAM  # the message the close came with
    assert not found[0].cleared
    assert [c.dialog_id for c in week] == [second]
    assert week_total == 3
    assert older not in (c.dialog_id for c in found)


async def test_the_text_is_the_message_that_was_judged_not_a_later_one(db: Database) -> None:
    dialog_id = await _closed(db, "1", NOW)
    for n, later in enumerate((NOW, NOW + timedelta(minutes=5))):  # the same instant, later
        await db.write(inbox.record_inbound, dialog_id, "telegram", f"l{n}", "ну ответьте", later)
    async with db.snapshot() as session:
        found = await spam_closes.spam_close(session, dialog_id)
    assert found is not None
    assert found.text == SPAM


async def test_one_dialog_cleared_or_reopened(db: Database) -> None:
    cleared = await _closed(db, "1", NOW, flags=frozenset())  # a manager found it no spam
    d = await db.write(dialogs.create_dialog, "telegram", "2", CustomerInfo(), NOW, "ru")
    assert d is not None
    async with db.snapshot() as session:
        found = await spam_closes.spam_close(session, cleared)
        still_open = await spam_closes.spam_close(session, d.id)
        missing = await spam_closes.spam_close(session, 999)
    assert found is not None
    assert found.cleared
    assert still_open is None
    assert missing is None
