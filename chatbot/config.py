"""Settings from the environment or `.env`; the only module that reads the environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///storage/chatbot.db"
# The async drivers the package installs; Database() supports no other backend.
DATABASE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
_URL_PASSWORD = re.compile(r"(://[^/:@]*:)[^/@]*@")


class Settings(BaseSettings):
    """Every setting of the bot; names are fixed by DESIGN.md §3.3."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    sqlite_synchronous: Literal["full", "normal"] = Field("full", alias="SQLITE_SYNCHRONOUS")
    flows_dir: Path = Field(Path("flows"), alias="FLOWS_DIR")
    prompts_dir: Path = Field(Path("prompts"), alias="PROMPTS_DIR")

    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base: str = Field("https://api.telegram.org", alias="TELEGRAM_API_BASE")
    telegram_webhook_url: str | None = Field(None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")

    whatsapp_token: SecretStr | None = Field(None, alias="WHATSAPP_TOKEN")
    whatsapp_phone_number_id: str | None = Field(None, alias="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_app_secret: SecretStr | None = Field(None, alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: SecretStr | None = Field(None, alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_api_base: str = Field("https://graph.facebook.com/v21.0", alias="WHATSAPP_API_BASE")

    managers_chat_id: int | None = Field(None, alias="MANAGERS_CHAT_ID")
    supervisor_chat_id: int | None = Field(None, alias="SUPERVISOR_CHAT_ID")
    manager_ids: Annotated[tuple[int, ...], NoDecode] = Field((), alias="MANAGER_IDS")

    events_api_token: SecretStr | None = Field(None, alias="EVENTS_API_TOKEN")

    crm_webhook_url: str | None = Field(None, alias="CRM_WEBHOOK_URL")
    crm_webhook_secret: SecretStr | None = Field(None, alias="CRM_WEBHOOK_SECRET")
    crm_webhook_events: str = Field(
        "dialog_closed,task_created,stage_changed", alias="CRM_WEBHOOK_EVENTS"
    )

    llm_base_url: str | None = Field(None, alias="LLM_BASE_URL")
    llm_api_key: SecretStr | None = Field(None, alias="LLM_API_KEY")
    llm_model: str | None = Field(None, alias="LLM_MODEL")
    llm_deadline_seconds: float = Field(4.0, gt=0, alias="LLM_DEADLINE_SECONDS")
    llm_timeout_seconds: float = Field(3.0, gt=0, alias="LLM_TIMEOUT_SECONDS")
    llm_output_mode: Literal["auto", "json_schema", "json_object", "text"] = Field(
        "auto", alias="LLM_OUTPUT_MODE"
    )

    outbox_retry_window_seconds: float = Field(3600.0, gt=0, alias="OUTBOX_RETRY_WINDOW_SECONDS")
    outbox_max_backoff_seconds: float = Field(60.0, gt=0, alias="OUTBOX_MAX_BACKOFF_SECONDS")

    http_host: str = Field("127.0.0.1", alias="HTTP_HOST")
    http_port: int = Field(8080, alias="HTTP_PORT")
    # From SIGTERM to exit: in-flight work finishes or is cut, unacknowledged, at this deadline.
    shutdown_timeout_seconds: float = Field(5.0, gt=0, alias="SHUTDOWN_TIMEOUT_SECONDS")

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", alias="LOG_LEVEL"
    )

    log_format: Literal["logfmt", "json"] = Field("logfmt", alias="LOG_FORMAT")

    @field_validator("sqlite_synchronous", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        """FULL and full alike (as SQLite's own PRAGMA takes them), JSON and json alike."""
        return value.lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        """Caught here, a mistyped URL is one line; found on connecting it was a traceback."""
        if not value.startswith(DATABASE_SCHEMES):
            raise ValueError(
                "the URL must start with "
                + " or ".join(DATABASE_SCHEMES)
                + ", e.g. sqlite+aiosqlite:///storage/chatbot.db"
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        """info and INFO alike; a misspelt level is an error, not a silent INFO."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("manager_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        """MANAGER_IDS is written as Telegram user ids separated by commas or spaces."""
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split())
        return value

    @property
    def messenger_configured(self) -> bool:
        """True when a Telegram or WhatsApp channel has credentials."""
        return self.telegram_bot_token is not None or self.whatsapp_token is not None

    @property
    def crm_events(self) -> frozenset[str]:
        """The events posted to the CRM webhook; none when no URL is set."""
        if not self.crm_webhook_url:
            return frozenset()
        return frozenset(e.strip() for e in self.crm_webhook_events.split(",") if e.strip())

    @property
    def llm_enabled(self) -> bool:
        """The LLM is on only when a model is named."""
        return bool(self.llm_model)


def settings_problems(error: ValidationError) -> list[str]:
    """One line per bad setting: its name, what was given and what is wrong."""
    lines = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "settings"
        given = problem.get("input")
        if isinstance(given, str):
            given = hide_password(given)
        shown = f"={given!r}" if isinstance(given, str | int | float) else ""
        lines.append(f"setting {name}{shown} is not valid: {problem['msg']}")
    return lines


def hide_password(url: str) -> str:
    """The URL with its password (if any) as ***, fit to print."""
    return _URL_PASSWORD.sub(r"\1***@", url)
