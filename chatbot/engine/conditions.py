"""Evaluation of handler conditions against the dialog state and the event context."""

from __future__ import annotations

from datetime import datetime

from chatbot.core.intents import BUYING_INTENTS, Classification
from chatbot.core.state import DialogState
from chatbot.engine.context import Context, once_key
from chatbot.engine.spec_conditions import Condition, number_range
from chatbot.intents.moments import named_moment
from chatbot.intents.ratings import read_rating


def matches(cond: Condition, state: DialogState, ctx: Context) -> bool:
    """True when every given field of the condition holds."""
    c = ctx.classification
    checks: list[bool] = []
    if cond.intent is not None:
        checks.append(c is not None and c.intent in _listed(cond.intent))
    if cond.not_intent is not None:
        checks.append(c is not None and c.intent not in cond.not_intent)
    if cond.option is not None:
        checks.append(c is not None and c.option in _listed(cond.option))
    if cond.first_message is not None:
        checks.append((c is not None and state.inbound_count == 1) == cond.first_message)
    if cond.emojis_over is not None:
        checks.append(c is not None and c.features.emojis > cond.emojis_over)
    if cond.has_link is not None:
        checks.append((c is not None and c.features.foreign_links > 0) == cond.has_link)
    if cond.number is not None:
        checks.append(_in_range(c.features.number if c is not None else None, cond.number))
    if cond.off_hours is not None:
        checks.append((not ctx.calendar.is_open(ctx.now)) == cond.off_hours)
    if cond.vars is not None:
        checks.append(all(state.vars.get(k) == str(v) for k, v in cond.vars.items()))
    if cond.unset is not None:
        checks.append(all(k not in state.vars for k in cond.unset))
    if cond.has is not None:
        checks.append(all(k in state.vars for k in cond.has))
    if cond.once is not None:
        checks.append(_once_allows(cond, state, ctx.now))
    if cond.quiet_elsewhere is not None:
        last = ctx.facts.other_dialogs_last_inbound_at
        checks.append(last is None or ctx.now - last >= cond.quiet_elsewhere)
    if cond.setting is not None:
        checks.append(bool(getattr(ctx.flows.shop, cond.setting, False)))
    if cond.after_bot is not None:
        checks.append(state.last_bot_key in cond.after_bot)
    if cond.stage is not None:
        checks.append(state.stage in _listed(cond.stage))
    if cond.reason is not None:
        checks.append(ctx.close_reason in _listed(cond.reason))
    if cond.last_intent_not is not None:
        checks.append(state.last_intent not in cond.last_intent_not)
    if cond.any is not None:
        checks.append(any(matches(sub, state, ctx) for sub in cond.any))
    if cond.not_ is not None:
        checks.append(not matches(cond.not_, state, ctx))
    if cond.asks is not None:
        checks.append((c is not None and c.features.asks) == cond.asks)
    if cond.buying_signal is not None:
        checks.append((c is not None and buying_signal(c)) == cond.buying_signal)
    if cond.rating is not None:
        checks.append(_in_range(read_rating(ctx.text) if c is not None else None, cond.rating))
    if cond.rated is not None:
        stored = state.vars.get("rating", "")
        checks.append(_in_range(int(stored) if stored.isdigit() else None, cond.rated))
    if cond.names_time is not None:
        checks.append((c is not None and named_time(ctx) is not None) == cond.names_time)
    if cond.stage_for is not None:
        since = state.stage_since
        checks.append(since is not None and ctx.now - since >= cond.stage_for)
    if cond.paused is not None:
        checks.append(state.paused == cond.paused)
    if cond.open_order is not None:
        checks.append(bool(state.open_orders) == cond.open_order)
    if cond.order is not None or cond.order_not is not None:
        facts = state.orders.get(state.vars.get("order_id", ""), frozenset())
        checks.append(set(cond.order or ()) <= facts and not facts & set(cond.order_not or ()))
    return all(checks)


def buying_signal(c: Classification) -> bool:
    """The message wants to buy: an order, a question about goods, or a product link."""
    f = c.features
    if c.intent in BUYING_INTENTS or f.product_links:
        return True
    # a question or request about the goods, with no advertising in it
    return f.asks and c.intent != "spam" and not f.foreign_links - f.product_links


def named_time(ctx: Context) -> datetime | None:
    """The future moment the customer's message names, in the shop's time zone."""
    return named_moment(ctx.text, ctx.now, ctx.calendar.tz)


def _in_range(value: int | None, span: str) -> bool:
    lo, hi = number_range(span)
    return value is not None and lo <= value <= hi


def _once_allows(cond: Condition, state: DialogState, now: datetime) -> bool:
    assert cond.once is not None
    if cond.once_per is None:
        return cond.once not in state.once
    last = state.vars.get(once_key(cond.once))
    if last is None:
        return True
    return now - datetime.fromisoformat(last) >= cond.once_per


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
