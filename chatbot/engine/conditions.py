"""Evaluation of handler conditions against the dialog state and the event context."""

from __future__ import annotations

from datetime import datetime

from chatbot.core.durations import parse_duration
from chatbot.core.state import DialogState
from chatbot.engine.context import Context, once_key
from chatbot.engine.spec import Condition, number_range


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
        lo, hi = number_range(cond.number)
        n = c.features.number if c is not None else None
        checks.append(n is not None and lo <= n <= hi)
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
        checks.append(last is None or ctx.now - last >= parse_duration(cond.quiet_elsewhere))
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
    return all(checks)


def _once_allows(cond: Condition, state: DialogState, now: datetime) -> bool:
    assert cond.once is not None
    if cond.once_per is None:
        return cond.once not in state.once
    last = state.vars.get(once_key(cond.once))
    if last is None:
        return True
    return now - datetime.fromisoformat(last) >= parse_duration(cond.once_per)


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
