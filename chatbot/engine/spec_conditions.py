"""Handler conditions of flow files (`when:`): what must hold for a handler to run."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from chatbot.engine.duration_type import Duration
from chatbot.engine.spec_base import Strict


class Condition(Strict):
    """What must hold for a handler to run; every given field must match."""

    intent: str | list[str] | None = Field(None, description="the classified intent(s)")
    not_intent: list[str] | None = Field(None, description="the intent is none of these")
    option: str | list[str] | None = Field(None, description="the chosen menu option id(s)")
    first_message: bool | None = Field(None, description="the dialog's first customer message")
    emojis_over: int | None = Field(None, ge=0, description="more than this many emojis")
    has_link: bool | None = Field(None, description="contains a link to a foreign domain")
    number: str | None = Field(None, description='the message is a number in "A-B"')
    off_hours: bool | None = Field(None, description="outside working hours (or a holiday)")
    vars: dict[str, str] | None = Field(None, description="dialog variables equal these values")
    unset: list[str] | None = Field(None, description="these dialog variables are not set")
    has: list[str] | None = Field(None, description="these dialog variables are set")
    once: str | None = Field(None, description="only the first time for this key in the dialog")
    once_per: Duration | None = Field(None, description="with `once`: at most once per period")
    quiet_elsewhere: Duration | None = Field(
        None, description="the customer wrote nothing in their other dialogs for this long"
    )
    setting: str | None = Field(None, description="a true shop setting, e.g. deferred_demand")
    after_bot: list[str] | None = Field(None, description="the bot's last text key is one of these")
    stage: str | list[str] | None = Field(None, description="the dialog is in one of these stages")
    reason: str | list[str] | None = Field(None, description="close reason (on_close only)")
    last_intent_not: list[str] | None = Field(
        None, description="the customer's last intent is none of these"
    )
    any: list[Condition] | None = Field(None, description="at least one of these holds")
    not_: Condition | None = Field(None, alias="not", description="this condition does not hold")
    asks: bool | None = Field(
        None, description="the message asks something or requests something (not small talk)"
    )
    buying_signal: bool | None = Field(
        None,
        description="the message wants to buy: an order, a question about goods, price, "
        "delivery or payment, or a link to a product page",
    )
    rating: str | None = Field(
        None, description='the message gives a score in "A-B" ("7", "7/10", "ставлю 10", "семь")'
    )
    rated: str | None = Field(None, description='the dialog\'s stored score is in "A-B"')
    names_time: bool | None = Field(
        None, description="the message names a future moment (через неделю, в понедельник)"
    )
    stage_for: Duration | None = Field(
        None, description="the dialog has been in its current stage at least this long"
    )
    paused: bool | None = Field(None, description="a manager holds the dialog")
    open_order: bool | None = Field(
        None, description="an order of the dialog is not yet delivered or cancelled"
    )
    order: list[str] | None = Field(
        None, description="the event's order has all of these: created, paid, ready, shipped..."
    )
    order_not: list[str] | None = Field(None, description="the event's order has none of these")

    @field_validator("number", "rating", "rated")
    @classmethod
    def _check_number(cls, value: str | None) -> str | None:
        if value is not None:
            number_range(value)
        return value


def number_range(text: str) -> tuple[int, int]:
    """Turn "9-10" or "7" into an inclusive range."""
    m = re.match(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$", text)
    if not m:
        raise ValueError(f'bad number range {text!r}: write "9-10" or "7"')
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if hi < lo:
        raise ValueError(f"bad number range {text!r}: the first number must not exceed the second")
    return lo, hi


Condition.model_rebuild()
