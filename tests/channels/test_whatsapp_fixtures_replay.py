"""Every shared WhatsApp payload is processed or skipped with a log record; none crashes."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from chatbot.channels.whatsapp import WhatsAppChannel
from chatbot.channels.whatsapp_webhook import read_notification
from tests.channels import whatsapp_fixtures as fx
from tests.conftest import shared_dir

# The folder's conftest belongs to the Telegram tests; these fixtures are taken by name.
graph, wa_channel, handed = fx.graph, fx.wa_channel, fx.handed
FOLDER = shared_dir() / "fixtures" / "whatsapp"
SKIPS = {"whatsapp.skipped", "whatsapp.unreadable"}


def _bodies(data: Any) -> list[tuple[str, Any]]:
    """Webhook bodies in one fixture file: a body, a wrapped one, or a dict of named bodies."""
    if not isinstance(data, dict):
        return [("", data)]
    if "object" in data:
        return [("", data)]
    if "payload" in data:
        return [("payload", data["payload"])]
    if "raw_body_utf8" in data:
        return [("raw_body", json.loads(data["raw_body_utf8"]))]
    return [(name, body) for name, body in data.items() if isinstance(body, dict)]


def _payloads() -> list[Any]:
    if not FOLDER.is_dir():
        reason = f"the shared WhatsApp fixtures are not at {FOLDER}"
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=reason))]
    params = []
    for path in sorted(FOLDER.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for name, body in _bodies(data):
            where = Path(path.relative_to(FOLDER)).as_posix()
            params.append(pytest.param(body, id=f"{where}:{name}" if name else where))
    return params


def _parts(body: dict[str, Any]) -> int:
    """How many things the body carries: each message and status, each other kind of change."""
    count = 0
    for entry in body.get("entry", ()):
        for change in entry.get("changes", ()):
            if change.get("field") != "messages":
                count += 1
                continue
            value = change.get("value", {})
            count += len(value.get("messages", ())) + len(value.get("statuses", ()))
    return count


def _phones(body: dict[str, Any]) -> set[str]:
    """The customers' numbers in a body (they must never reach a log record at INFO)."""
    found = set()
    for entry in body.get("entry", ()):
        for change in entry.get("changes", ()):
            value = change.get("value", {})
            found.update(str(c.get("wa_id")) for c in value.get("contacts", ()))
            found.update(str(m.get("from")) for m in value.get("messages", ()))
            found.update(str(s.get("recipient_id")) for s in value.get("statuses", ()))
    return {p for p in found if p.isdigit()}


@pytest.mark.parametrize("body", _payloads())
def test_each_part_is_processed_or_skipped_with_a_log_record(
    body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="chatbot")
    note = read_notification(body)
    skipped = [r for r in caplog.records if r.getMessage() in SKIPS]
    assert len(note.inbound) + len(note.statuses) + len(skipped) == _parts(body)
    assert _parts(body) > 0
    for inbound in note.inbound:
        assert inbound.channel == "whatsapp"
        assert inbound.external_id
        assert inbound.customer.phone == "+" + inbound.chat_id
    for record in caplog.records:
        shown = record.getMessage() + repr(record.__dict__)
        assert not any(p in shown for p in _phones(body)), record.getMessage()


async def test_every_payload_replayed_through_the_webhook(
    wa_channel: WhatsAppChannel, handed: fx.Handed, caplog: pytest.LogCaptureFixture
) -> None:
    bodies = [p.values[0] for p in _payloads()]
    if bodies == [None]:
        pytest.skip(f"the shared WhatsApp fixtures are not at {FOLDER}")
    expected = 0
    async with fx.serving(wa_channel, handed) as hook:
        for body in bodies:
            assert await hook.post(body) == (200, {})
            expected += len(read_notification(body).inbound)
    assert len(handed.inbounds) == expected
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
