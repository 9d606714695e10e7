"""Outbound CRM webhooks: which changes are announced, signed bodies, retries, refusals."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from chatbot.config import Settings
from chatbot.core.clock import VirtualClock
from chatbot.core.events import Blocked
from chatbot.core.outbox_messages import CRM
from chatbot.db.database import Database
from chatbot.db.tables import OutboxRow
from chatbot.engine.flowset import FlowSet
from chatbot.errors import ConfigError
from chatbot.ports.inbound import Inbound, IncomingText
from chatbot.service.crm_notices import CRM_EVENTS
from chatbot.service.crm_webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    CrmWebhookSender,
    crm_sender_from,
)
from chatbot.service.outbox import OutboxSender
from chatbot.service.pipeline import Pipeline
from tests.service.fake_crm import FakeCrm
from tests.service.fakes import keyword_rules

SECRET = "a-long-shared-secret"


@pytest.fixture
async def crm() -> AsyncIterator[FakeCrm]:
    server = FakeCrm()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def sender(crm: FakeCrm) -> AsyncIterator[CrmWebhookSender]:
    port = CrmWebhookSender(crm.url, SECRET)
    yield port
    await port.close()


def crm_pipeline(
    db: Database,
    flows: FlowSet,
    clock: VirtualClock,
    events: frozenset[str] = frozenset(CRM_EVENTS),
) -> Pipeline:
    return Pipeline(db, flows, keyword_rules, clock, crm_events=events)


async def ask_for_a_manager(pipeline: Pipeline) -> None:
    """A first message asking for a manager: a stage change, a task and a handoff."""
    await pipeline.handle(Inbound("telegram", "7", IncomingText("позовите менеджера"), "m1"))


async def crm_rows(db: Database) -> list[tuple[str, int, str | None]]:
    async with db.transaction() as s:
        rows = (await s.execute(select(OutboxRow).where(OutboxRow.channel == CRM))).scalars()
        return [(r.status, r.attempts, r.error) for r in rows]


def events_of(crm: FakeCrm) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in crm.received]


async def test_changes_reach_the_crm_signed_with_the_shared_secret(
    db: Database,
    shipped_flows: FlowSet,
    clock: VirtualClock,
    crm: FakeCrm,
    sender: CrmWebhookSender,
) -> None:
    pipeline = crm_pipeline(db, shipped_flows, clock)
    await ask_for_a_manager(pipeline)
    outbox = OutboxSender(db, {CRM: sender}, clock)
    delivered = await outbox.deliver_pending()
    assert delivered == len(crm.received) >= 2
    names = [e["event"] for e in events_of(crm)]
    assert "task_created" in names
    assert "stage_changed" in names
    task = next(e for e in events_of(crm) if e["event"] == "task_created")
    assert task["data"]["kind"] == "human"  # type: ignore[index]
    assert isinstance(task["data"]["task_id"], int)  # type: ignore[index]
    assert task["dialog"]["channel"] == "telegram"  # type: ignore[index]
    for got in crm.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
        assert got.headers[SIGNATURE_HEADER] == expected
        assert got.headers[EVENT_ID_HEADER] == json.loads(got.body)["id"]
    assert len({r.headers[EVENT_ID_HEADER] for r in crm.received}) == len(crm.received)
    assert {status for status, _, _ in await crm_rows(db)} == {"sent"}


async def test_a_failing_crm_gets_the_same_notice_again_later(
    db: Database,
    shipped_flows: FlowSet,
    clock: VirtualClock,
    crm: FakeCrm,
    sender: CrmWebhookSender,
) -> None:
    pipeline = crm_pipeline(db, shipped_flows, clock, frozenset({"task_created"}))
    await ask_for_a_manager(pipeline)
    crm.statuses.extend([503, 429])
    outbox = OutboxSender(db, {CRM: sender}, clock)
    assert await outbox.deliver_pending() == 0
    assert await crm_rows(db) == [("pending", 1, "crm answered 503")]
    assert await outbox.deliver_pending() == 0  # not due yet: backing off
    clock.advance(timedelta(seconds=3))
    assert await outbox.deliver_pending() == 0
    assert await crm_rows(db) == [("pending", 1, "crm rate limit")]  # waiting is no attempt
    clock.advance(timedelta(seconds=31))  # the CRM's Retry-After
    assert await outbox.deliver_pending() == 1
    assert [r.headers[EVENT_ID_HEADER] for r in crm.received].count(
        crm.received[0].headers[EVENT_ID_HEADER]
    ) == 3  # one notice, three tries, one id: the CRM can dedupe
    assert [status for status, _, _ in await crm_rows(db)] == ["sent"]


async def test_a_refused_notice_is_not_retried(
    db: Database,
    shipped_flows: FlowSet,
    clock: VirtualClock,
    crm: FakeCrm,
    sender: CrmWebhookSender,
) -> None:
    pipeline = crm_pipeline(db, shipped_flows, clock, frozenset({"task_created"}))
    await ask_for_a_manager(pipeline)
    crm.statuses.append(422)
    outbox = OutboxSender(db, {CRM: sender}, clock)
    await outbox.deliver_pending()
    clock.advance(timedelta(hours=2))
    await outbox.deliver_pending()
    assert len(crm.received) == 1
    assert await crm_rows(db) == [("failed", 1, "crm refused the notice with 422")]


async def test_an_unreachable_crm_is_retried(
    db: Database, shipped_flows: FlowSet, clock: VirtualClock
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    port = CrmWebhookSender(f"http://127.0.0.1:{closed}/hooks", SECRET, timeout=2)
    pipeline = crm_pipeline(db, shipped_flows, clock, frozenset({"task_created"}))
    await ask_for_a_manager(pipeline)
    try:
        assert await OutboxSender(db, {CRM: port}, clock).deliver_pending() == 0
    finally:
        await port.close()
    [(status, attempts, error)] = await crm_rows(db)
    assert (status, attempts) == ("pending", 1)
    assert error is not None
    assert error.startswith("crm unreachable")


async def test_only_the_chosen_events_are_announced_and_none_by_default(
    db: Database, shipped_flows: FlowSet, clock: VirtualClock
) -> None:
    await ask_for_a_manager(Pipeline(db, shipped_flows, keyword_rules, clock))
    assert await crm_rows(db) == []
    chosen = crm_pipeline(db, shipped_flows, clock, frozenset({"dialog_closed"}))
    await chosen.handle(Inbound("telegram", "8", IncomingText("Здравствуйте"), "s1"))
    await chosen.handle(Inbound("telegram", "8", Blocked(reason="kicked")))
    async with db.transaction() as s:
        payloads = await s.scalars(select(OutboxRow.payload).where(OutboxRow.channel == CRM))
        events = [(p["event"], p["data"]) for p in payloads]
    assert events == [("dialog_closed", {"reason": "bot_blocked"})]


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"CRM_WEBHOOK_URL": "https://crm.example/hooks"}, "CRM_WEBHOOK_SECRET"),
        (
            {"CRM_WEBHOOK_URL": "https://crm.example/hooks", "CRM_WEBHOOK_SECRET": "short"},
            "at least 16",
        ),
        ({"CRM_WEBHOOK_URL": "crm.example/hooks", "CRM_WEBHOOK_SECRET": SECRET}, "https://"),
        (
            {
                "CRM_WEBHOOK_URL": "https://crm.example/hooks",
                "CRM_WEBHOOK_SECRET": SECRET,
                "CRM_WEBHOOK_EVENTS": "dialog_closed,order_paid",
            },
            "order_paid",
        ),
    ],
)
def test_bad_settings_are_refused_with_the_reason(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        crm_sender_from(Settings(_env_file=None, **env))  # type: ignore[call-arg]


def test_no_url_means_no_webhooks() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert crm_sender_from(settings) is None
    assert settings.crm_events == frozenset()
