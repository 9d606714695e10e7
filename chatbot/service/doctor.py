"""`chatbot doctor`'s checks of a deployment against the real services, one finding each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Literal

import aiohttp
import openai
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from chatbot.config import Settings
from chatbot.db.database import Database
from chatbot.db.migrate import current_revision, head_revision

Status = Literal["ok", "fail", "skip"]
HTTP_TIMEOUT: Final = 10.0
WHATSAPP: Final = (
    "WHATSAPP_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the checklist: what was checked, the verdict, what was seen, how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        """The JSON form of `chatbot doctor --json`."""
        return asdict(self)


def ok(name: str, detail: str) -> Check:
    """A check that passed."""
    return Check(name, "ok", detail)


def fail(name: str, detail: str, fix: str) -> Check:
    """A check that failed, with what to do about it."""
    return Check(name, "fail", detail, fix)


def skip(name: str, reason: str) -> Check:
    """A check not made because its service is not configured."""
    return Check(name, "skip", reason)


def reason(exc: BaseException) -> str:
    """An exception as one short line."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:240]


async def check_all(settings: Settings) -> list[Check]:
    """Every check, in checklist order; services run in parallel, none stops the others."""
    groups = await asyncio.gather(
        _guarded("database", check_database(settings)),
        _guarded("telegram", _telegram(settings)),
        _guarded("whatsapp", check_whatsapp(settings)),
        _guarded("llm", check_llm(settings)),
    )
    return [check for group in groups for check in group]


async def _guarded(name: str, checks: Awaitable[Sequence[Check]]) -> Sequence[Check]:
    """A check that broke is a failed check with its reason, not a traceback over the rest."""
    try:
        return await checks
    except Exception as exc:  # whatever broke, the other services are still worth checking
        return [
            fail(
                name,
                f"the check could not run: {reason(exc)}",
                "correct the settings of this service; see the reason",
            )
        ]


async def _telegram(settings: Settings) -> Sequence[Check]:
    # aiogram takes seconds to import: only when a Telegram setting asks for it.
    staff = (settings.managers_chat_id, settings.supervisor_chat_id)
    if settings.telegram_bot_token is None and staff == (None, None):
        return [skip("telegram", "TELEGRAM_BOT_TOKEN is unset: the Telegram channel is off")]
    from chatbot.service.doctor_telegram import check_telegram

    return await check_telegram(settings)


async def check_database(settings: Settings) -> list[Check]:
    """The database answers and is at the migrations' head revision."""
    name = "database"
    try:
        url = make_url(settings.database_url)
    except ArgumentError as exc:
        return [
            fail(
                name,
                f"DATABASE_URL is not a database URL ({reason(exc)})",
                "write it as sqlite+aiosqlite:///path.db or "
                "postgresql+asyncpg://user:password@host/db",
            )
        ]
    where = url.render_as_string(hide_password=True)
    if _missing_sqlite_file(url.get_backend_name(), url.database):
        # Opening it would create an empty file; say so instead.
        return [
            fail(
                name,
                f"{where}: the file does not exist",
                "run `chatbot migrate` to create it, or correct DATABASE_URL",
            )
        ]
    try:
        db = Database(settings.database_url, synchronous=settings.sqlite_synchronous)
    except Exception as exc:  # an unknown driver or bad options: SQLAlchemy's many kinds
        fix = "use sqlite+aiosqlite:// or postgresql+asyncpg:// in DATABASE_URL"
        return [fail(name, f"{where}: {reason(exc)}", fix)]
    try:
        revision = await asyncio.wait_for(current_revision(db), HTTP_TIMEOUT)
    except Exception as exc:  # any failure to connect is the finding, whatever the driver raised
        return [
            fail(
                name,
                f"{where}: cannot connect ({reason(exc)})",
                "check DATABASE_URL and that the database server runs and lets this host in",
            )
        ]
    finally:
        await db.dispose()
    head = head_revision()
    if revision == head:
        return [ok(name, f"{where} answers, at revision {revision} (the newest)")]
    if revision is None:
        return [
            fail(
                name, f"{where} answers but has no tables (never migrated)", "run `chatbot migrate`"
            )
        ]
    return [
        fail(
            name,
            f"{where} is at revision {revision}, this version needs {head}",
            "run `chatbot migrate` (or install the version that wrote revision "
            f"{revision} if it is newer)",
        )
    ]


def _missing_sqlite_file(backend: str, database: str | None) -> bool:
    """A SQLite URL naming a file that is not there (memory and URI forms are left alone)."""
    if backend != "sqlite" or not database or database == ":memory:":
        return False
    return not database.startswith("file:") and not Path(database).exists()


async def check_whatsapp(settings: Settings) -> list[Check]:
    """The phone number id and token open the number on the Graph API the bot will use."""
    name = "whatsapp"
    given = dict(
        zip(
            WHATSAPP,
            (
                settings.whatsapp_token,
                settings.whatsapp_phone_number_id,
                settings.whatsapp_app_secret,
                settings.whatsapp_verify_token,
            ),
            strict=True,
        )
    )
    missing = [key for key, value in given.items() if not value]
    if len(missing) == len(WHATSAPP):
        return [skip(name, "WHATSAPP_TOKEN is unset: the WhatsApp channel is off")]
    if missing:
        fix = "set all four WHATSAPP_* settings from the Meta app's WhatsApp page"
        return [fail(name, f"{', '.join(missing)} unset: the channel stays off", fix)]
    assert settings.whatsapp_token is not None
    token = settings.whatsapp_token.get_secret_value()
    url = f"{settings.whatsapp_api_base.rstrip('/')}/{settings.whatsapp_phone_number_id}"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT)) as session,
            session.get(url, headers={"Authorization": f"Bearer {token}"}) as response,
        ):
            status = response.status
            body: Any = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return [
            fail(
                name,
                f"{settings.whatsapp_api_base} unreachable ({reason(exc)})",
                "check WHATSAPP_API_BASE and the server's outbound network",
            )
        ]
    if status == 200 and isinstance(body, dict):
        number = body.get("display_phone_number") or body.get("id")
        return [ok(name, f"phone number {number} ({body.get('verified_name', 'unnamed')})")]
    error = body.get("error", {}) if isinstance(body, dict) else {}
    said = f"{status} {error.get('message', '')}".strip()
    if status == 401 or error.get("code") == 190:
        return [
            fail(
                name,
                f"the Graph API refused WHATSAPP_TOKEN ({said})",
                "generate a permanent System User token with whatsapp_business_messaging "
                "and put it in WHATSAPP_TOKEN",
            )
        ]
    return [
        fail(
            name,
            f"no phone number {settings.whatsapp_phone_number_id} for this token ({said})",
            "copy the Phone number ID (not the number itself) from the Meta app's "
            "WhatsApp > API Setup page into WHATSAPP_PHONE_NUMBER_ID",
        )
    ]


async def check_llm(settings: Settings) -> list[Check]:
    """One tiny completion through the client the bot uses, with its timeout."""
    name = "llm"
    if not settings.llm_enabled:
        return [skip(name, "LLM_MODEL is unset: intents come from the rules alone")]
    from chatbot.llm.client import openai_client

    client = openai_client(settings)
    where = f"{client.base_url} model {settings.llm_model}"
    try:
        await client.chat.completions.create(
            model=str(settings.llm_model),
            messages=[{"role": "user", "content": "Reply with the word OK."}],
            max_tokens=2,
        )
    except openai.AuthenticationError as exc:
        return [
            fail(
                name,
                f"{where}: the key was refused ({reason(exc)})",
                "set LLM_API_KEY to a key this server accepts",
            )
        ]
    except openai.NotFoundError as exc:
        return [
            fail(
                name,
                f"{where}: not found ({reason(exc)})",
                "check LLM_MODEL against the server's model list and that LLM_BASE_URL "
                "ends where /chat/completions starts (often /v1)",
            )
        ]
    except openai.APITimeoutError:
        return [
            fail(
                name,
                f"{where}: no answer within {client.timeout} s",
                "a faster model or server, or a larger LLM_TIMEOUT_SECONDS",
            )
        ]
    except openai.APIConnectionError as exc:
        return [
            fail(
                name,
                f"{where}: cannot connect ({reason(exc.__cause__ or exc)})",
                "start the LLM server or correct LLM_BASE_URL",
            )
        ]
    except openai.APIStatusError as exc:
        return [
            fail(
                name,
                f"{where}: answered {exc.status_code} ({reason(exc)})",
                "see the LLM server's log; or unset LLM_MODEL to run on rules",
            )
        ]
    finally:
        await client.close()
    return [ok(name, f"{where} answered")]
