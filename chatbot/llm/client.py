"""The OpenAI SDK client both the classifier and the writer talk through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openai import AsyncOpenAI

if TYPE_CHECKING:
    from chatbot.config import Settings

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def openai_client(settings: Settings) -> AsyncOpenAI:
    """An SDK client without its own retries; one request is bounded by the timeout setting."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    return AsyncOpenAI(
        base_url=settings.llm_base_url or DEFAULT_BASE_URL,
        api_key=key or "not-needed",  # local servers take no key, but the SDK wants one
        max_retries=0,
        timeout=min(settings.llm_timeout_seconds, settings.llm_deadline_seconds),
    )
