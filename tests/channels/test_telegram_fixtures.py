"""Every captured Telegram payload in ../shared/fixtures is read or skipped with a log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from chatbot.channels.telegram_updates import read_update
from chatbot.core.events import Blocked, Unblocked
from tests.conftest import shared_dir

FIXTURES = shared_dir() / "fixtures" / "telegram"
FILES = sorted(FIXTURES.glob("**/*.json")) if FIXTURES.is_dir() else []
needs_fixtures = pytest.mark.skipif(not FILES, reason=f"no Telegram fixtures under {FIXTURES}")
LOGGER = "chatbot.channels.telegram_updates"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@needs_fixtures
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_each_capture_becomes_an_event_or_a_logged_skip(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        item = read_update(_load(path))
    if item.inbound is None:
        notes = [r for r in caplog.records if r.name == LOGGER]
        assert notes, f"{path.name} was dropped without a log record"
        assert {r.msg for r in notes} <= {"telegram.update_rejected", "telegram.update_ignored"}


@needs_fixtures
def test_current_captures_are_understood() -> None:
    """The samples aiogram 3.31 accepts are read as what they are."""
    text = read_update(_load(FIXTURES / "illemius_telegram_types" / "message.json"))
    assert text.inbound is not None
    assert (text.inbound.chat_id, text.inbound.customer.lang) == ("12345678", "ru")
    location = read_update(
        _load(FIXTURES / "illemius_telegram_types" / "message_with_location.json")
    )
    assert location.inbound is not None
    assert str(getattr(location.inbound.payload, "text", "")).startswith("[location]")
    edited = read_update(_load(FIXTURES / "illemius_telegram_types" / "edited_message.json"))
    assert edited.inbound is None


@needs_fixtures
@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("private_user_blocked_bot.json", Blocked()),
        ("private_user_unblocked_bot.json", Unblocked()),
    ],
)
def test_captured_block_and_unblock_are_understood_once_delivered_as_updates(
    name: str, event: object
) -> None:
    """The captures are an update's body without update_id; wrapped as Telegram sends them."""
    body = _load(FIXTURES / "drui9_autogram_my_chat_member" / name)
    item = read_update({"update_id": 1, **body})
    assert item.inbound is not None
    assert (item.inbound.chat_id, item.inbound.payload) == ("5342492667", event)


@needs_fixtures
def test_old_captures_aiogram_rejects_are_logged_at_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = FIXTURES / "official_webhooks_doc" / "02_message_text.json"
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        item = read_update(_load(path))
    assert item.inbound is None
    [record] = [r for r in caplog.records if r.msg == "telegram.update_rejected"]
    assert record.levelno == logging.WARNING
    assert "is_bot" in record.__dict__["reason"]
