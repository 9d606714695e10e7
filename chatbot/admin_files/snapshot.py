"""One version of the admin files, immutable: the running bot swaps it whole on a reload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from chatbot.admin_files.manager_wording_files import builtin
from chatbot.core.intents import INTENTS
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.engine.manager_wording import Wording


def _no_prompts() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class AdminFiles:
    """The flows, intent rules, managers' texts and prompts of one load of the files."""

    flows: FlowSet
    rules: RulesFn  # the rule files, bound to the shop's link domains
    intents: frozenset[str]  # every intent the rules define: what the LLM may answer
    wording: Wording  # the managers' texts, in the shop's default language
    prompts: Mapping[str, str] = field(default_factory=_no_prompts)  # text by file name

    @classmethod
    def of(
        cls, flows: FlowSet, rules: RulesFn, intents: frozenset[str] = frozenset(INTENTS)
    ) -> AdminFiles:
        """Flows and rules alone, with the built-in managers' texts (tests and tools)."""
        return cls(flows, rules, intents, builtin(flows.shop.default_lang))
