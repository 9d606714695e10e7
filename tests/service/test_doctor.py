"""`chatbot doctor`'s checks against the fake Bot API, the fake Graph API, a local LLM server
and real SQLite files: each passes when the deployment is right and names the fix when not."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chatbot.config import Settings
from chatbot.db.database import Database
from chatbot.db.migrate import head_revision, upgrade
from chatbot.service.doctor import Check, check_all, check_database, check_llm, check_whatsapp
from tests.channels import whatsapp_fixtures as fx
from tests.channels.fake_bot_api import BOT_USER, TOKEN, FakeBotApi
from tests.channels.fake_graph_api import PHONE_NUMBER_ID, FakeGraphApi
from tests.channels.fake_graph_api import TOKEN as WA_TOKEN
from tests.llm import fake_openai as f
from tests.llm.fake_openai import FakeOpenAI

graph = fx.graph
MANAGERS = -1001234567890


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.close()


async def _migrated(tmp_path: Path, revision: str = "head") -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'doctor.db'}"
    db = Database(url)
    try:
        await upgrade(db, revision)
    finally:
        await db.dispose()
    return url


def _settings(**env: Any) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


async def test_a_right_deployment_passes_every_check(
    tmp_path: Path, api: FakeBotApi, graph: FakeGraphApi, llm: FakeOpenAI
) -> None:
    api.member(BOT_USER["id"], "member")
    settings = _settings(
        DATABASE_URL=await _migrated(tmp_path),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=api.base,
        MANAGERS_CHAT_ID=MANAGERS,
        WHATSAPP_TOKEN=WA_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=fx.APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=fx.VERIFY_TOKEN,
        WHATSAPP_API_BASE=graph.base,
        LLM_BASE_URL=llm.base_url,
        LLM_MODEL="fake-model",
    )
    checks = _by_name(await check_all(settings))
    assert {n: c.status for n, c in checks.items()} == {
        "database": "ok",
        "telegram.token": "ok",
        "telegram.webhook": "skip",
        "telegram.managers_chat": "ok",
        "telegram.supervisor_chat": "skip",
        "whatsapp": "ok",
        "llm": "ok",
    }
    assert f"revision {head_revision()}" in checks["database"].detail
    assert checks["telegram.token"].detail == "@shop_test_bot (id 123456)"
    assert checks["whatsapp"].detail == "phone number +1 555 0100 (Shop)"
    assert len(llm.requests) == 1
    assert llm.requests[0]["max_tokens"] == 2
    assert api.requested("sendMessage") == []  # nothing is posted anywhere


async def test_nothing_configured_is_skipped_with_the_reason(tmp_path: Path) -> None:
    checks = _by_name(await check_all(_settings(DATABASE_URL=await _migrated(tmp_path))))
    assert [c.status for c in checks.values()] == ["ok", "skip", "skip", "skip"]
    assert checks["llm"].detail == "LLM_MODEL is unset: intents come from the rules alone"


async def test_a_database_behind_the_migrations_fails_with_migrate_as_the_fix(
    tmp_path: Path,
) -> None:
    [check] = await check_database(_settings(DATABASE_URL=await _migrated(tmp_path, "0003")))
    assert check.status == "fail"
    assert f"is at revision 0003, this version needs {head_revision()}" in check.detail
    assert "chatbot migrate" in check.fix


async def test_a_missing_or_unreachable_database_fails(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    [check] = await check_database(_settings(DATABASE_URL=f"sqlite+aiosqlite:///{missing}"))
    assert (check.status, check.detail.endswith("the file does not exist")) == ("fail", True)
    assert not missing.exists()  # the check did not create it
    port = _closed_port()
    url = f"postgresql+asyncpg://user:pw@127.0.0.1:{port}/shop"
    [check] = await check_database(_settings(DATABASE_URL=url))
    assert check.status == "fail"
    assert "cannot connect" in check.detail
    assert "pw" not in check.detail  # the password is hidden


async def test_whatsapp_wrong_phone_id_wrong_token_and_half_configured(
    graph: FakeGraphApi,
) -> None:
    base = {
        "WHATSAPP_APP_SECRET": fx.APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": fx.VERIFY_TOKEN,
        "WHATSAPP_API_BASE": graph.base,
    }
    [wrong_id] = await check_whatsapp(
        _settings(WHATSAPP_TOKEN=WA_TOKEN, WHATSAPP_PHONE_NUMBER_ID="79990001122", **base)
    )
    assert wrong_id.status == "fail"
    assert wrong_id.detail.startswith("no phone number 79990001122 for this token (400")
    assert "Phone number ID" in wrong_id.fix
    [wrong_token] = await check_whatsapp(
        _settings(WHATSAPP_TOKEN="EAAG-old", WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID, **base)
    )
    assert wrong_token.status == "fail"
    assert "refused WHATSAPP_TOKEN (401" in wrong_token.detail
    assert [c.authorization for c in graph.calls] == [f"Bearer {WA_TOKEN}", "Bearer EAAG-old"]
    [half] = await check_whatsapp(_settings(WHATSAPP_TOKEN=WA_TOKEN))
    assert half.status == "fail"
    assert half.detail.startswith("WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET")


async def test_an_llm_that_is_down_or_refuses_the_key_fails(llm: FakeOpenAI) -> None:
    down = f"http://127.0.0.1:{_closed_port()}/v1"
    [check] = await check_llm(_settings(LLM_BASE_URL=down, LLM_MODEL="m"))
    assert check.status == "fail"
    assert "cannot connect" in check.detail
    assert "LLM_BASE_URL" in check.fix
    llm.then(f.UNAUTHORIZED)
    [check] = await check_llm(_settings(LLM_BASE_URL=llm.base_url, LLM_MODEL="m"))
    assert (check.status, "LLM_API_KEY" in check.fix) == ("fail", True)
    llm.then(f.SERVER_ERROR)
    [check] = await check_llm(_settings(LLM_BASE_URL=llm.base_url, LLM_MODEL="m"))
    assert check.status == "fail"
    assert "answered 500" in check.detail


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("url", ["not a url", "mysql+aiomysql://u@h/db"])
def test_a_database_url_that_cannot_work_stops_before_the_checks(url: str) -> None:
    # The settings refuse it (one line, exit 2, before any command): doctor never sees it.
    with pytest.raises(ValidationError, match="sqlite\\+aiosqlite:// or postgresql\\+asyncpg://"):
        _settings(DATABASE_URL=url)
