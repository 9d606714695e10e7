"""Semantic checks of merged flows: references, translations, timers, reachability."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from chatbot.admin_files.flow_walk import conditions, sites
from chatbot.admin_files.origins import Origins
from chatbot.admin_files.template_checks import check_templates
from chatbot.admin_files.text_checks import check_translations, few
from chatbot.admin_files.yaml_source import Path_
from chatbot.core.events import CRM_EVENTS
from chatbot.core.intents import INTENTS
from chatbot.engine import spec_actions as act
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec_actions import Action, ReplySpec
from chatbot.engine.spec_conditions import Condition
from chatbot.errors import Problem

CLOSE_REASONS = ("spam", "thanks", "no_reply", "bot_blocked", "refused", "completed", "manual")
BUILTIN_VARS = frozenset(
    {
        "name",
        "name_suffix",
        "shop",
        "next_open",
        "amount",
        "currency",
        "order_id",
        "pay_url",
        "tracking",
        "text",
        "rating",
        "said_rating",
    }
)


def check_flowset(flows: FlowSet, origins: Origins, extra_intents: Iterable[str]) -> list[Problem]:
    """Every semantic problem of the merged flows."""
    out = _Checker(flows, origins, frozenset(INTENTS) | frozenset(extra_intents))
    out.run()
    return [*out.problems, *check_templates(flows, origins)]


class _Checker:
    def __init__(self, flows: FlowSet, origins: Origins, intents: frozenset[str]) -> None:
        self.flows = flows
        self.origins = origins
        self.intents = intents
        self.problems: list[Problem] = []
        self.options = {o.id for m in flows.menus.values() for o in m.options}
        self.known_vars = BUILTIN_VARS | set(flows.shop.vars) | set(self._assigned_vars())

    def add(
        self, path: Path_, message: str, hint: str, stage: str = "", warn: bool = False
    ) -> None:
        self.problems.append(self.origins.problem(path, message, hint, stage, warn))

    def run(self) -> None:
        if "new" not in self.flows.stages:
            self.add((), "there is no stage 'new'", "every dialog starts in stage new: define it")
        for site in sites(self.flows):
            for i, action in enumerate(site.actions):
                self._check_action((*site.path, i), site.stage, action)
        for path, stage, cond in conditions(self.flows):
            self._check_condition(path, stage, cond)
        for event in self.flows.events:
            if event not in CRM_EVENTS:
                self.add(
                    ("events", event),
                    f"unknown event {event!r}",
                    f"use one of {', '.join(CRM_EVENTS)}",
                )
        self._check_menus()
        self._check_timers_started()
        self._check_texts()
        self._check_reachability()

    def _check_action(self, path: Path_, stage: str, action: Action) -> None:
        match action:
            case act.GotoAction() if action.goto not in self.flows.stages:
                self.add(
                    (*path, "goto"),
                    f"unknown stage {action.goto!r}",
                    f"define it under stages: or use one of {few(self.flows.stages)}",
                    stage,
                )
            case act.MenuAction() if action.menu not in self.flows.menus:
                self.add(
                    (*path, "menu"),
                    f"unknown menu {action.menu!r}",
                    f"define it under menus: or use one of {few(self.flows.menus)}",
                    stage,
                )
            case act.StartAction():
                self._check_timers((*path, "start"), [action.spec.timer], stage)
            case act.CancelAction():
                self._check_timers((*path, "cancel"), action.timers, stage)
            case act.ReplyAction():
                self._check_reply((*path, "reply"), action.spec, stage)
            case act.CloseAction() if action.close not in CLOSE_REASONS:
                self.add(
                    (*path, "close"),
                    f"unknown close reason {action.close!r}",
                    f"use one of {', '.join(CLOSE_REASONS)}",
                    stage,
                )

    def _check_timers(self, path: Path_, names: list[str], stage: str) -> None:
        for name in names:
            if name not in self.flows.timers:
                self.add(
                    path,
                    f"unknown timer {name!r}",
                    f"define it under timers: or use one of {few(self.flows.timers)}",
                    stage,
                )

    def _check_reply(self, path: Path_, spec: ReplySpec, stage: str) -> None:
        self._check_text_key(path, spec.text, stage)
        if spec.max_chars is not None and not spec.personalise:
            self.add(
                path,
                "max_chars has no effect without personalise: true",
                "add personalise: true or delete max_chars",
                stage,
                warn=True,
            )
        if not spec.personalise:
            return
        limit = spec.max_chars or self.flows.shop.personalise.max_chars
        for lang, texts in self.flows.texts.items():
            template = texts.get(spec.text, "")
            if len(template) > limit:
                self.add(
                    path,
                    f"the {lang} text {spec.text!r} is {len(template)} characters, longer than "
                    f"the {limit} an LLM rewrite may have",
                    "raise max_chars or shorten the text",
                    stage,
                    warn=True,
                )

    def _check_condition(self, path: Path_, stage: str, cond: Condition) -> None:
        for intent in [*_as_list(cond.intent), *(cond.not_intent or ())]:
            if intent not in self.intents:
                self.add(
                    (*path, "intent"),
                    f"unknown intent {intent!r}",
                    "use one of the intents of DESIGN §3.1 or one added in flows/intents",
                    stage,
                )
        for option in _as_list(cond.option):
            if option not in self.options:
                self.add(
                    (*path, "option"),
                    f"unknown menu option {option!r}",
                    f"use an option id of a menu: {few(self.options)}",
                    stage,
                )
        for name in _as_list(cond.stage):
            if name not in self.flows.stages:
                self.add((*path, "stage"), f"unknown stage {name!r}", "check the spelling", stage)
        for reason in _as_list(cond.reason):
            if reason not in CLOSE_REASONS:
                self.add(
                    (*path, "reason"),
                    f"unknown close reason {reason!r}",
                    f"use one of {', '.join(CLOSE_REASONS)}",
                    stage,
                )
        if cond.once_per is not None and cond.once is None:
            self.add((*path, "once_per"), "once_per needs once", "add once: <a key>", stage)
        for key in cond.after_bot or ():
            self._check_text_key((*path, "after_bot"), key, stage)
        for i, sub in enumerate(cond.any or ()):
            self._check_condition((*path, "any", i), stage, sub)

    def _check_text_key(self, path: Path_, key: str, stage: str) -> None:
        if not any(key in texts for texts in self.flows.texts.values()):
            self.add(
                path,
                f"undefined text key {key!r}",
                f"add {key}: to flows/texts/<lang>.yaml for every language",
                stage,
            )

    def _check_menus(self) -> None:
        for name, menu in self.flows.menus.items():
            self._check_text_key(("menus", name, "text"), menu.text, "")
            for i, option in enumerate(menu.options):
                self._check_text_key(("menus", name, "options", i, "label"), option.label, "")
                if option.intent not in self.intents:
                    self.add(
                        ("menus", name, "options", i, "intent"),
                        f"unknown intent {option.intent!r}",
                        "use an intent of DESIGN §3.1",
                    )

    def _check_timers_started(self) -> None:
        started = {
            a.spec.timer
            for s in sites(self.flows)
            for a in s.actions
            if isinstance(a, act.StartAction)
        }
        for name in self.flows.timers:
            if name not in started:
                self.add(
                    ("timers", name),
                    f"timer {name!r} can never fire: nothing starts it",
                    f"add `- start: {name}` to a stage or handler, or delete the timer",
                )

    def _check_texts(self) -> None:
        self.problems.extend(check_translations(self.flows, self.origins, self.known_vars))
        whatsapp = self.flows.shop.whatsapp
        for key in whatsapp.templates:
            self._check_text_key(("shop", "whatsapp", "templates", key), key, "")
        for i, key in enumerate(whatsapp.skippable):
            self._check_text_key(("shop", "whatsapp", "skippable", i), key, "")

    def _check_reachability(self) -> None:
        targets = {
            a.goto for s in sites(self.flows) for a in s.actions if isinstance(a, act.GotoAction)
        }
        for name in self.flows.stages:
            if name != "new" and name not in targets:
                self.add(
                    ("stages", name),
                    f"stage {name!r} is unreachable: no goto leads to it",
                    f"add `- goto: {name}` somewhere or delete the stage",
                    name,
                    warn=True,
                )

    def _assigned_vars(self) -> Iterator[str]:
        for site in sites(self.flows):
            for action in site.actions:
                if isinstance(action, act.SetAction):
                    yield from action.set
                elif isinstance(action, act.SetDateAction):
                    yield action.set_date.var


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
