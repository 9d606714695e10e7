"""The rules classifier on the labelled development corpus (../shared/corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.intents.evaluation import evaluate
from chatbot.intents.policy import needs_llm
from chatbot.intents.rules import classify
from chatbot.intents.rules_loader import load_rules
from tests.conftest import shared_dir

CORPUS = shared_dir() / "corpus" / "intents-dev.jsonl"
RULES = Path(__file__).resolve().parents[2] / "flows" / "intents"
MAX_LLM_SHARE = 0.30  # the LLM is a helper for the unsure rest, not the classifier


@pytest.mark.skipif(
    not CORPUS.exists(), reason=f"no development corpus at {CORPUS} (set CHATBOT_SHARED_DIR)"
)
def test_dev_corpus_targets() -> None:
    rules = load_rules(RULES)
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    report = evaluate((r["label"], classify(r["text"], rules).intent) for r in rows)
    assert report.n == len(rows)
    assert report.macro_f1 >= 0.85
    for careful in ("thanks", "thinking", "spam"):  # a wrong auto-close loses a customer
        assert report.per_intent[careful].precision >= 0.9, careful


@pytest.mark.skipif(
    not CORPUS.exists(), reason=f"no development corpus at {CORPUS} (set CHATBOT_SHARED_DIR)"
)
def test_dev_corpus_rarely_needs_the_llm() -> None:
    rules = load_rules(RULES)
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    unsure = sum(needs_llm(classify(text, rules)) for text in texts)
    assert unsure / len(texts) <= MAX_LLM_SHARE, f"{unsure} of {len(texts)}"
