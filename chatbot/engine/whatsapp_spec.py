"""WhatsApp's settings in shop.yaml: the 24-hour window, its margin and the approved templates."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chatbot.engine.duration_type import Duration

_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")  # Meta's rule for template names


class WhatsAppTemplate(BaseModel):
    """One approved template: its name, language and the text variables filling its slots."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(description="the template's name as approved in WhatsApp Manager")
    language: str | None = Field(
        None,
        description="the approved language code (ru, en_US...); unset: the customer's language",
    )
    body: list[str] = Field(
        default_factory=list,
        description="the text's variables filling the body's {{1}}, {{2}}... in this order",
    )
    button_url: str | None = Field(
        None, description="the text's variable filling the dynamic part of the first URL button"
    )

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _TEMPLATE_NAME.match(value):
            raise ValueError(f"bad template name {value!r}: lowercase letters, digits and _")
        return value

    @field_validator("body")
    @classmethod
    def _check_body(cls, value: list[str]) -> list[str]:
        for var in value:
            if not _VAR.match(var):
                raise ValueError(f"bad variable {var!r}: write its name without braces")
        return value

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable the template needs, body first."""
        return (*self.body, *([self.button_url] if self.button_url else []))


class WhatsAppSettings(BaseModel):
    """WhatsApp's 24-hour window and the approved templates used outside it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    window: Duration = Field(
        "24h",
        validate_default=True,
        description="how long after the customer's last message free text is allowed",
    )
    margin: Duration = Field(
        "30m",
        validate_default=True,
        description="free text only while this much of the window is left; later, the template",
    )
    templates: dict[str, WhatsAppTemplate] = Field(
        default_factory=dict,
        description="text key -> the approved template sent instead outside the window "
        "(a bare name is a template without parameters)",
    )
    skippable: list[str] = Field(
        default_factory=list,
        description="proactive text keys with no template on purpose: outside the window they "
        "are not sent (recorded as skipped)",
    )

    @field_validator("templates", mode="before")
    @classmethod
    def _bare_names(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {"name": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _margin_inside_window(self) -> WhatsAppSettings:
        if self.margin >= self.window:
            raise ValueError("margin must be shorter than window")
        return self
