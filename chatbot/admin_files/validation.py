"""The one validation of every admin file, shared by `chatbot validate` and start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatbot.admin_files.flow_walk import uses_personalise
from chatbot.admin_files.loader import check_flows
from chatbot.admin_files.manager_wording_files import check_wording, wording_in
from chatbot.admin_files.prompts_check import NUDGE, REQUIRED, check_prompts
from chatbot.admin_files.rules_loader import check_rules, load_rules
from chatbot.engine.flowset import FlowSet
from chatbot.engine.manager_wording import Wording
from chatbot.errors import Problem
from chatbot.intents.rules import RuleSet

RULES_FOLDER = "intents"


@dataclass(frozen=True)
class Validation:
    """The loaded flows, rules and managers' texts (None when invalid) and every problem found."""

    flows: FlowSet | None
    rules: RuleSet | None
    problems: tuple[Problem, ...]
    wording: Wording | None = None  # in the shop's default language

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that stop the bot."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems worth a look that do not stop the bot."""
        return tuple(p for p in self.problems if p.severity != "error")


def validate_all(flows_dir: Path, prompts_dir: Path) -> Validation:
    """Check intent rules, flows (knowing the rules' intents), managers' texts and prompts."""
    rules_dir = flows_dir / RULES_FOLDER
    # A missing flows folder is reported once by check_flows, not again as missing rules.
    problems = list(check_rules(rules_dir)) if flows_dir.is_dir() else []
    failed = any(p.severity == "error" for p in problems) or not flows_dir.is_dir()
    rules = None if failed else load_rules(rules_dir)
    extra = rules.intent_names if rules is not None else frozenset()
    loaded = check_flows(flows_dir, extra)
    problems.extend(loaded.problems)
    if flows_dir.is_dir():
        problems.extend(check_wording(flows_dir))
    personalised = loaded.flows is not None and uses_personalise(loaded.flows)
    problems.extend(check_prompts(prompts_dir, (*REQUIRED, NUDGE) if personalised else REQUIRED))
    if any(p.severity == "error" for p in problems) or loaded.flows is None:
        return Validation(None, None, tuple(problems))
    wording = wording_in(flows_dir, loaded.flows.shop.default_lang)
    return Validation(loaded.flows, rules, tuple(problems), wording)
