"""`chatbot eval-intents FILE.jsonl... [--json] [--errors] [--rules DIR] [--llm]`: score intents.

Without `--llm` the rules are scored, with the share of messages the pipeline would hand to the
LLM. With `--llm` the rules, the LLM alone and the combined policy are scored side by side
against the model the settings name (see `chatbot.service.llm_evaluation`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from chatbot.admin_files.loader import load_flows
from chatbot.admin_files.rules_loader import load_rules
from chatbot.commands.eval_output import (
    column_json,
    error_json,
    print_columns,
    print_report,
    share_json,
)
from chatbot.commands.labelled import BadLine, Labelled, read_labelled
from chatbot.config import Settings
from chatbot.core.intents import Classification
from chatbot.errors import FlowError
from chatbot.intents.evaluation import evaluate
from chatbot.intents.policy import needs_llm
from chatbot.intents.rules import RuleSet, classify
from chatbot.llm.classifier import LlmClassifier
from chatbot.service.llm_evaluation import Column, Sample, compare

EXIT_BAD_RULES = 1
EXIT_BAD_INPUT = 2
DEFAULT_CONCURRENCY = 4  # enough to finish a corpus in minutes without flooding a paid API
DEFAULT_LANG = "ru"


def register(p: argparse.ArgumentParser) -> None:
    """Add the `eval-intents` arguments."""
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--errors", action="store_true", help="list misclassified lines")
    p.add_argument(
        "--rules", type=Path, default=None, help="rule folder (default FLOWS_DIR/intents)"
    )
    p.add_argument(
        "--llm",
        action="store_true",
        help="also score the LLM alone and the combined policy (needs LLM_MODEL)",
    )
    p.add_argument(
        "--concurrency",
        type=_positive,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"LLM requests at once with --llm (default {DEFAULT_CONCURRENCY})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score every file and all of them together."""
    settings = Settings()
    if args.llm and not settings.llm_model:
        print(
            "chatbot eval-intents: --llm needs a model: set LLM_MODEL (and LLM_BASE_URL, "
            "LLM_API_KEY for your server), as for `chatbot run`",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    folder = args.rules if args.rules is not None else settings.flows_dir / "intents"
    try:
        rules = load_rules(folder)
    except FlowError as exc:
        print(f"chatbot eval-intents: the rule files are invalid:\n{exc}", file=sys.stderr)
        return EXIT_BAD_RULES
    try:
        per_file = {str(p): read_labelled(p) for p in args.files}
    except (OSError, UnicodeDecodeError, BadLine) as exc:
        print(f"chatbot eval-intents: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    decided = {name: _decide(rows, rules) for name, rows in per_file.items()}
    guessed = {name: [(row, c.intent) for row, c in pairs] for name, pairs in decided.items()}
    unsure = {name: sum(needs_llm(c) for _, c in pairs) for name, pairs in decided.items()}
    everything = [pair for pairs in guessed.values() for pair in pairs]
    total = evaluate((row.label, guess) for row, guess in everything)
    files = {name: evaluate((r.label, g) for r, g in pairs) for name, pairs in guessed.items()}
    errors = [everything[i] for i in total.errors]
    columns: tuple[Column, ...] = ()
    if args.llm:
        rows = [row for pairs in per_file.values() for row in pairs]
        try:
            columns = _compare(settings, rules, rows, args.concurrency)
        except OSError as exc:  # the prompt file is missing or unreadable
            print(f"chatbot eval-intents: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    if args.json:
        body: dict[str, Any] = total.to_json()
        body["would_call_llm"] = share_json(sum(unsure.values()), total.n)
        body["files"] = {
            name: report.to_json() | {"would_call_llm": share_json(unsure[name], report.n)}
            for name, report in files.items()
        }
        if args.errors:
            body["errors"] = [error_json(r, g) for r, g in errors]
        if columns:
            body["columns"] = {c.name: column_json(c, per_file, args.errors) for c in columns}
        print(json.dumps(body, ensure_ascii=False))
        return 0
    for name, report in files.items():
        print(f"== {name}")
        print_report(report, unsure[name])
    if len(files) > 1:
        print("== all files")
        print_report(total, sum(unsure.values()))
    if args.errors:
        print("== errors (file:line: gold -> predicted: text)")
        for row, guess in errors:
            print(f"{row.file}:{row.line}: {row.label} -> {guess}: {row.text}")
    if columns:
        print_columns(columns, per_file, args.errors)
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _decide(rows: list[Labelled], rules: RuleSet) -> list[tuple[Labelled, Classification]]:
    return [(row, classify(row.text, rules)) for row in rows]


def _compare(
    settings: Settings, rules: RuleSet, rows: list[Labelled], concurrency: int
) -> tuple[Column, ...]:
    """Run the three columns against the configured model, with progress on stderr."""
    shop, default_lang = "", DEFAULT_LANG
    try:
        flows = load_flows(settings.flows_dir, rules.intent_names)
        shop, default_lang = flows.shop.name, flows.shop.default_lang
    except FlowError:
        print(
            f"eval-intents: no valid flows in {settings.flows_dir}; the prompt gets no shop name",
            file=sys.stderr,
        )
    template = (settings.prompts_dir / "classify.md").read_text(encoding="utf-8")

    def make_llm() -> LlmClassifier:
        llm = LlmClassifier.from_settings(settings, template=template, shop=shop)
        assert llm is not None  # LLM_MODEL was checked
        return llm

    samples = [Sample(r.text, r.label, r.lang or default_lang) for r in rows]
    return asyncio.run(
        compare(
            samples,
            lambda text: classify(text, rules),
            make_llm,
            rules.intent_names,
            concurrency=concurrency,
            progress=_progress,
        )
    )


def _progress(column: str, done: int, total: int) -> None:
    if done == total or done % max(1, total // 10) == 0:
        print(f"eval-intents: {column}: {done}/{total} messages asked", file=sys.stderr)
