"""The rules classifier bound to the shop's files: flows/intents and the allowed link domains."""

from __future__ import annotations

from pathlib import Path

from chatbot.admin_files.rules_loader import load_rules
from chatbot.core.intents import Classification
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.intents.rules import RuleSet, classify

RULES_FOLDER = "intents"


def rules_dir(flows_dir: Path) -> Path:
    """Where the rule files of a flows folder live."""
    return flows_dir / RULES_FOLDER


def bind_rules(ruleset: RuleSet, flows: FlowSet) -> RulesFn:
    """A one-argument rules function for the pipeline."""
    allowed = frozenset(d.lower() for d in flows.shop.allowed_link_domains)
    products = frozenset(d.lower() for d in flows.shop.product_link_domains)

    def rules(text: str) -> Classification:
        return classify(text, ruleset, allowed_domains=allowed, product_domains=products)

    return rules


def load_rules_fn(flows_dir: Path, flows: FlowSet) -> RulesFn:
    """Load the rule files next to the flows and bind them."""
    return bind_rules(load_rules(rules_dir(flows_dir)), flows)
