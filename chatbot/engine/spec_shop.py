"""Shop-wide settings of flow files (`shop:`): time zone, working hours, SLA, personalising."""

from __future__ import annotations

import re
from datetime import date, time

from pydantic import Field, field_validator

from chatbot.core.phones import check_country
from chatbot.engine.duration_type import Duration
from chatbot.engine.spec_base import Strict
from chatbot.engine.whatsapp_spec import WhatsAppSettings

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Where customers find what they want and send it to the shop: "хочу такие, сколько стоит?"
PRODUCT_LINK_DOMAINS = (
    "ozon.ru",
    "wildberries.ru",
    "wb.ru",
    "avito.ru",
    "market.yandex.ru",
    "megamarket.ru",
    "aliexpress.ru",
    "aliexpress.com",
    "lamoda.ru",
    "amazon.com",
    "ebay.com",
    "etsy.com",
    "instagram.com",
    "instagr.am",
    "pinterest.com",
    "pinterest.ru",
    "pin.it",
)


def _default_hours() -> dict[str, str | None]:
    return {d: "10:00-19:00" for d in WEEKDAYS}


class SlaSettings(Strict):
    """Response-time rules for managers, in working time."""

    manager_answer: Duration = Field(
        "10m", validate_default=True, description="a later answer counts as a breach"
    )


class PersonaliseSettings(Strict):
    """Limits of replies the LLM may personalise (`reply: {text: ..., personalise: true}`)."""

    max_chars: int = Field(
        300, ge=20, le=4000, description="a longer LLM text is refused and the template is sent"
    )
    recent_messages: int = Field(
        10, ge=0, le=50, description="how many of the dialog's last messages the LLM reads"
    )


class ShopSettings(Strict):
    """Shop-wide settings: time zone, working hours, holidays, languages."""

    name: str = Field("", description="the shop's name, available in texts as {shop}")
    timezone: str = Field("Europe/Moscow", description="IANA time zone of the shop")
    country: str = Field(
        "RU",
        description="ISO country code: phones written without +, like 8 916..., are read "
        "as this country's numbers",
    )
    default_lang: str = Field("ru", description="language of customers whose language is unknown")
    languages: list[str] = Field(default_factory=lambda: ["ru", "en"])
    working_hours: dict[str, str | None] = Field(
        default_factory=_default_hours,
        description='per weekday (mon..sun) "HH:MM-HH:MM", or null when closed',
    )
    holidays: list[date] = Field(default_factory=list, description="days closed all day")
    allowed_link_domains: list[str] = Field(
        default_factory=list, description="links to these domains are not counted as spam links"
    )
    product_link_domains: list[str] = Field(
        default_factory=lambda: list(PRODUCT_LINK_DOMAINS),
        description="marketplaces and social sites whose links show a customer's wish (a buying "
        "signal), never spam on their own",
    )
    deferred_demand: bool = Field(
        True, description="goods are bought after reflection, so a discount may win the customer"
    )
    close_after_silence: Duration = Field(
        "7d", validate_default=True, description="close a dialog with no messages"
    )
    weekly_digest: bool = Field(
        False,
        description="on Monday when the shop opens, send last week's report to "
        "SUPERVISOR_CHAT_ID (the managers' chat if unset)",
    )
    max_steps_per_event: int = Field(20, ge=1, le=200, description="guards against goto loops")
    vars: dict[str, str] = Field(default_factory=dict, description="shop variables for texts")
    sla: SlaSettings = Field(default_factory=SlaSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    personalise: PersonaliseSettings = Field(default_factory=PersonaliseSettings)

    _check_country = field_validator("country")(check_country)

    @field_validator("working_hours")
    @classmethod
    def _check_hours(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}: use one of {', '.join(WEEKDAYS)}")
            if span is not None:
                parse_hours(span)
        return value


def parse_hours(span: str) -> tuple[time, time]:
    """Turn "10:00-19:00" into (opens, closes); raise ValueError with a hint otherwise."""
    m = _HOURS.match(span.strip())
    if not m:
        raise ValueError(f"bad hours {span!r}: write them like 10:00-19:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ValueError(f"bad hours {span!r}: hours 0-24, minutes 0-59")
    opens = time(h1, m1)
    closes = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if closes <= opens:
        raise ValueError(f"bad hours {span!r}: the closing time must be after the opening time")
    return opens, closes
