"""Meta's 24-hour window, with the shop's margin, and filling a text's approved template."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chatbot.core.effects import TemplateCall
from chatbot.core.state import DialogState
from chatbot.engine.whatsapp_spec import WhatsAppSettings

NO_TEMPLATE = "outside the WhatsApp 24h window, no template"
SKIPPABLE = "outside the WhatsApp 24h window, skippable: no template on purpose"


def outside_window(state: DialogState, settings: WhatsAppSettings, now: datetime) -> bool:
    """True on WhatsApp when less than the margin of the window is left (or it never opened)."""
    if state.channel != "whatsapp":
        return False
    last = state.last_inbound_at
    if last is None:
        return True  # a number that never wrote: only a template may open the conversation
    usable = settings.window - settings.margin
    # Free text planned near the end may reach Meta after the window closed: keep a margin.
    return now - last > usable


def whatsapp_way(
    key: str,
    state: DialogState,
    settings: WhatsAppSettings,
    values: Mapping[str, str],
    now: datetime,
    *,
    proactive: bool,
) -> tuple[TemplateCall | None, TemplateCall | None] | str:
    """(template to send, template to fall back to on Meta's 131047), or why nothing is sent.

    Answers to the customer's own message are always inside the window; the bot's own messages
    are free text only while the margin is left.
    """
    if state.channel != "whatsapp":
        return None, None
    call = fill_template(key, settings, values, state.lang)
    if proactive and outside_window(state, settings, now):
        return (call, None) if isinstance(call, TemplateCall) else call
    return None, call if isinstance(call, TemplateCall) else None


def fill_template(
    key: str, settings: WhatsAppSettings, values: Mapping[str, str], lang: str
) -> TemplateCall | str:
    """The text's template with its parameters, or why none can be sent (a `skipped` reason)."""
    spec = settings.templates.get(key)
    if spec is None:
        return SKIPPABLE if key in settings.skippable else NO_TEMPLATE
    empty = [var for var in spec.variables if not values.get(var, "").strip()]
    if empty:
        # Meta refuses an empty parameter; an honest skip beats a message that says nothing.
        return f"template {spec.name}: no value for {', '.join('{' + v + '}' for v in empty)}"
    body = tuple(values[var].strip() for var in spec.body)
    button = values[spec.button_url].strip() if spec.button_url else None
    return TemplateCall(spec.name, spec.language or lang, body, button)
