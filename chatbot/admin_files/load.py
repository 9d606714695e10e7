"""The one load of every admin file, shared by `chatbot validate`, start-up and reloads.

Each file is read once: the checks and the snapshot are made from the same bytes, so a file
edited during a load cannot be checked in one version and loaded in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from chatbot.admin_files.flow_walk import uses_personalise
from chatbot.admin_files.loader import check_flows
from chatbot.admin_files.manager_wording_files import read_wording, wording_from
from chatbot.admin_files.prompts_check import NUDGE, REQUIRED, read_prompts
from chatbot.admin_files.rules_loader import read_rules
from chatbot.admin_files.rules_source import bind_rules, rules_dir
from chatbot.admin_files.snapshot import AdminFiles
from chatbot.errors import Problem, Reported


@dataclass(frozen=True)
class Loaded(Reported):
    """The snapshot of the files (None when a problem is an error) and every problem found."""

    files: AdminFiles | None
    problems: tuple[Problem, ...]


def read_admin_files(flows_dir: Path, prompts_dir: Path) -> Loaded:
    """Read and check intent rules, flows (knowing the rules' intents), managers' texts, prompts."""
    problems: list[Problem] = []
    ruleset = None
    # A missing flows folder is reported once by check_flows, not again as missing rules.
    if flows_dir.is_dir():
        ruleset, rule_problems = read_rules(rules_dir(flows_dir))
        problems.extend(rule_problems)
    loaded = check_flows(flows_dir, ruleset.intent_names if ruleset is not None else ())
    problems.extend(loaded.problems)
    wording_docs, wording_problems = read_wording(flows_dir)
    problems.extend(wording_problems)
    personalised = loaded.flows is not None and uses_personalise(loaded.flows)
    required = (*REQUIRED, NUDGE) if personalised else REQUIRED
    prompts, prompt_problems = read_prompts(prompts_dir, required)
    problems.extend(prompt_problems)
    flows = loaded.flows
    if any(p.severity == "error" for p in problems) or flows is None or ruleset is None:
        return Loaded(None, tuple(problems))
    files = AdminFiles(
        flows,
        bind_rules(ruleset, flows),
        ruleset.intent_names,
        wording_from(wording_docs, flows.shop.default_lang),
        MappingProxyType(prompts),
    )
    return Loaded(files, tuple(problems))
