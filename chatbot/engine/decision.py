"""The decision for one customer message: a menu choice first, then the rules."""

from __future__ import annotations

from collections.abc import Callable

from chatbot.core.intents import Classification
from chatbot.core.state import DialogState
from chatbot.engine.flowset import FlowSet
from chatbot.engine.menu import match_option

RulesFn = Callable[[str], Classification]


def decide(
    text: str, button: str | None, state: DialogState, flows: FlowSet, rules: RulesFn
) -> Classification:
    """Classify a message in the context of the dialog's open menu."""
    ruled = rules(text)
    menu = flows.menus.get(state.menu) if state.menu else None
    if menu is not None:
        option = match_option(text, button, menu.options, state.lang)
        if option is not None:
            return Classification(option.intent, 1.0, "menu", ruled.features, option.id)
    return ruled
