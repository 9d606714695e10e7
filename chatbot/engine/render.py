"""Filling message texts with dialog variables."""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime

from chatbot.core.state import DialogState
from chatbot.engine.context import Context
from chatbot.intents.ratings import read_rating

_FORMATTER = string.Formatter()


class _Vars(dict[str, str]):
    """A mapping that renders an unknown variable as empty text instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill `{var}` placeholders; unknown ones become empty, odd braces are kept."""
    try:
        return _FORMATTER.vformat(template, (), _Vars(values))
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def text_values(state: DialogState, ctx: Context) -> dict[str, str]:
    """Variables available to texts: shop vars, dialog vars, name, shop, next_open."""
    values = dict(ctx.flows.shop.vars)
    values.update({k: v for k, v in state.vars.items() if not k.startswith("_")})
    values.setdefault("name", ctx.facts.customer_name)
    # ", Анна" when the name is known, so "Здравствуйте{name_suffix}!" reads well either way.
    values.setdefault("name_suffix", f", {values['name']}" if values["name"] else "")
    values.setdefault("shop", ctx.flows.shop.name)
    if ctx.text:
        said = read_rating(ctx.text)
        values["said_rating"] = "" if said is None else str(said)
    values["next_open"] = format_moment(
        ctx.calendar.local(ctx.calendar.next_open(ctx.now)), ctx.calendar.local(ctx.now)
    )
    return values


def format_moment(moment: datetime, today: datetime) -> str:
    """A short local time: '10:00' today, or '03.03 10:00' another day."""
    if moment.date() == today.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%d.%m %H:%M")


def format_date(moment: datetime) -> str:
    """A local date as customers read it: 03.03.2026."""
    return moment.strftime("%d.%m.%Y")
