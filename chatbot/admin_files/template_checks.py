"""Checks of WhatsApp templates: every proactive text has one (or may be skipped), and each
template's parameters are variables of its text."""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence

from chatbot.admin_files.origins import Origins
from chatbot.admin_files.yaml_source import Path_
from chatbot.engine import spec_actions as act
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec_actions import Action, Handler
from chatbot.errors import Problem

TEMPLATES = ("shop", "whatsapp", "templates")


def check_templates(flows: FlowSet, origins: Origins) -> list[Problem]:
    """Proactive texts without a template (warnings) and templates with wrong parameters."""
    problems: list[Problem] = []

    def add(path: Path_, message: str, hint: str, warn: bool = False) -> None:
        problems.append(origins.problem(path, message, hint, warn=warn))

    whatsapp = flows.shop.whatsapp
    for key, path in proactive_texts(flows).items():
        if key not in whatsapp.templates and key not in whatsapp.skippable:
            hint = (
                f"add {key}: {{name: ..., body: [...]}} under shop.whatsapp.templates, "
                "or list it in shop.whatsapp.skippable"
            )
            message = f"the proactive text {key!r} has no WhatsApp template: outside the 24h "
            add(path, message + "window it is not sent", hint, warn=True)
    for key, spec in whatsapp.templates.items():
        for lang, texts in sorted(flows.texts.items()):
            text = texts.get(key)
            if text is None:
                continue  # a missing text is reported by the text checks
            have = set(_placeholders(text))
            for var in spec.variables:
                if var not in have:
                    add(
                        (*TEMPLATES, key),
                        f"template {spec.name!r} of {key!r} uses {{{var}}}, "
                        f"which the {lang} text does not have",
                        "use the text's variables: "
                        f"{', '.join(sorted(have)) or '(the text has none)'}",
                    )
    return problems


def proactive_texts(flows: FlowSet) -> dict[str, Path_]:
    """Text keys the bot may send on its own (timers, shop events, managers' actions)."""
    walk = _Walk(flows)
    for event, handlers in flows.events.items():
        walk.handlers(handlers, ("events", event))
    for name, timer in flows.timers.items():
        walk.actions(timer.do, ("timers", name, "do"))
    for kind in ("message", "take", "done", "return_to_bot"):
        walk.handlers(getattr(flows.manager, kind), ("manager", kind))
    return walk.found


class _Walk:
    """Follows actions through choose, goto (a stage's on_enter) and close (on_close)."""

    def __init__(self, flows: FlowSet) -> None:
        self.flows = flows
        self.found: dict[str, Path_] = {}
        self.seen: set[str] = set()

    def handlers(self, handlers: Iterable[Handler], path: Path_) -> None:
        for i, handler in enumerate(handlers):
            self.actions(handler.do, (*path, i, "do"))

    def actions(self, actions: Sequence[Action], path: Path_) -> None:
        for i, action in enumerate(actions):
            here = (*path, i)
            match action:
                case act.ReplyAction():
                    self.found.setdefault(action.spec.text, (*here, "reply"))
                case act.MenuAction() if action.menu in self.flows.menus:
                    self.found.setdefault(self.flows.menus[action.menu].text, (*here, "menu"))
                case act.GotoAction() if action.goto in self.flows.stages:
                    if f"stage:{action.goto}" not in self.seen:
                        self.seen.add(f"stage:{action.goto}")
                        on_enter = self.flows.stages[action.goto].on_enter
                        self.actions(on_enter, ("stages", action.goto, "on_enter"))
                case act.CloseAction() if "on_close" not in self.seen:
                    self.seen.add("on_close")
                    self.handlers(self.flows.on_close, ("on_close",))
                case act.ChooseAction():
                    for j, handler in enumerate(action.choose):
                        self.actions(handler.do, (*here, "choose", j, "do"))


def _placeholders(text: str) -> Iterable[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return []
    return [field for _, field, _, _ in parsed if field]
