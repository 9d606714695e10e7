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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatbot.config import Settings
from chatbot.core.intents import Classification
from chatbot.engine.loader import load_flows
from chatbot.errors import FlowError
from chatbot.intents.evaluation import Report, evaluate
from chatbot.intents.policy import needs_llm
from chatbot.intents.rules import RuleSet, classify
from chatbot.intents.rules_loader import load_rules
from chatbot.llm.classifier import LlmClassifier
from chatbot.service.llm_evaluation import COLUMNS, Column, LlmCost, Sample, compare

EXIT_BAD_RULES = 1
EXIT_BAD_INPUT = 2
DEFAULT_CONCURRENCY = 4  # enough to finish a corpus in minutes without flooding a paid API
DEFAULT_LANG = "ru"
COST_ROWS: tuple[tuple[str, Callable[[LlmCost], str]], ...] = (
    ("LLM calls per 100 msgs", lambda k: f"{k.calls_per_100:.1f}"),
    ("prompt tokens", lambda k: str(k.prompt_tokens)),
    ("completion tokens", lambda k: str(k.completion_tokens)),
    ("LLM latency p50, ms", lambda k: str(round(k.latency_p50_s * 1000))),
    ("LLM latency p95, ms", lambda k: str(round(k.latency_p95_s * 1000))),
    ("no LLM intent (fallback)", lambda k: str(k.fallbacks)),
)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled line of an evaluation file."""

    file: str
    line: int
    text: str
    label: str
    lang: str | None = None


class BadLine(ValueError):
    """A line of an evaluation file is not a {"text", "label"} object."""


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


def read_labelled(path: Path) -> list[Labelled]:
    """The labelled lines of a JSONL file; BadLine names file:line and what is wrong."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise BadLine(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if (
                not isinstance(row, dict)
                or not isinstance(row.get("text"), str)
                or not isinstance(row.get("label"), str)
            ):
                raise BadLine(f'{path}:{number}: expected {{"text": "...", "label": "..."}}')
            lang = row.get("lang") if isinstance(row.get("lang"), str) else None
            out.append(Labelled(str(path), number, row["text"], row["label"], lang))
    return out


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
        body["would_call_llm"] = _share_json(sum(unsure.values()), total.n)
        body["files"] = {
            name: report.to_json() | {"would_call_llm": _share_json(unsure[name], report.n)}
            for name, report in files.items()
        }
        if args.errors:
            body["errors"] = [_error_json(r, g) for r, g in errors]
        if columns:
            body["columns"] = {c.name: _column_json(c, per_file, args.errors) for c in columns}
        print(json.dumps(body, ensure_ascii=False))
        return 0
    for name, report in files.items():
        print(f"== {name}")
        _print_report(report, unsure[name])
    if len(files) > 1:
        print("== all files")
        _print_report(total, sum(unsure.values()))
    if args.errors:
        print("== errors (file:line: gold -> predicted: text)")
        for row, guess in errors:
            print(f"{row.file}:{row.line}: {row.label} -> {guess}: {row.text}")
    if columns:
        _print_columns(columns, per_file, args.errors)
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _decide(rows: list[Labelled], rules: RuleSet) -> list[tuple[Labelled, Classification]]:
    return [(row, classify(row.text, rules)) for row in rows]


def _share_json(count: int, n: int) -> dict[str, Any]:
    return {"count": count, "share": round(count / n, 4) if n else 0.0}


def _error_json(row: Labelled, guess: str) -> dict[str, Any]:
    return {
        "file": row.file,
        "line": row.line,
        "gold": row.label,
        "predicted": guess,
        "text": row.text,
    }


def _print_report(report: Report, unsure: int) -> None:
    print(
        f"n={report.n}  accuracy={report.accuracy:.3f}  macro-F1={report.macro_f1:.3f}  "
        f"(over the set's own intents {report.macro_f1_gold:.3f})"
    )
    share = 100 * unsure / report.n if report.n else 0.0
    print(f"  would call the LLM for {unsure} of {report.n} ({share:.1f}%)")
    print(f"  {'intent':<16} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for name, s in report.per_intent.items():
        print(f"  {name:<16} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8}")
    if report.confusions:
        print("  most common confusions (gold -> predicted):")
        for gold, guess, count in report.confusions:
            print(f"    {gold} -> {guess}: {count}")


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


def _column_json(column: Column, per_file: dict[str, list[Labelled]], errors: bool) -> Any:
    rows = [row for pairs in per_file.values() for row in pairs]
    report = evaluate((row.label, guess) for row, guess in zip(rows, column.predicted, strict=True))
    body: dict[str, Any] = report.to_json()
    body["files"] = {name: report.to_json() for name, report in _file_reports(column, per_file)}
    body["llm"] = column.cost.to_json() if column.cost is not None else None
    if errors:
        body["errors"] = [_error_json(rows[i], column.predicted[i]) for i in report.errors]
    return body


def _file_reports(column: Column, per_file: dict[str, list[Labelled]]) -> list[tuple[str, Report]]:
    out, start = [], 0
    for name, rows in per_file.items():
        guesses = column.predicted[start : start + len(rows)]
        out.append((name, evaluate((r.label, g) for r, g in zip(rows, guesses, strict=True))))
        start += len(rows)
    return out


def _print_columns(
    columns: tuple[Column, ...], per_file: dict[str, list[Labelled]], errors: bool
) -> None:
    """The side-by-side table of the rules, the LLM alone and the combined policy."""
    rows = [row for pairs in per_file.values() for row in pairs]
    reports = [
        evaluate((r.label, g) for r, g in zip(rows, c.predicted, strict=True)) for c in columns
    ]
    print(f"== rules, LLM and the combined policy side by side (n={len(rows)})")
    print(f"  {'':<26}" + "".join(f"{name:>10}" for name in COLUMNS))
    table: list[tuple[str, list[str]]] = [
        ("accuracy", [f"{r.accuracy:.3f}" for r in reports]),
        ("macro-F1", [f"{r.macro_f1:.3f}" for r in reports]),
    ]
    if len(per_file) > 1:
        for name, _ in per_file.items():
            scores = [dict(_file_reports(c, per_file))[name] for c in columns]
            table.append((f"  {Path(name).name} macro-F1", [f"{s.macro_f1:.3f}" for s in scores]))
    costs = [c.cost for c in columns]
    for title, show in COST_ROWS:
        table.append((title, [show(k) if k is not None else "-" for k in costs]))
    for title, cells in table:
        print(f"  {title[:26]:<26}" + "".join(f"{cell:>10}" for cell in cells))
    for column in columns:
        if column.cost is not None:
            parts = ", ".join(f"{k} {v}" for k, v in column.cost.outcomes.items())
            print(f"  {column.name} outcomes: {parts}")
    print(f"  {'F1 per intent':<26}" + "".join(f"{name:>10}" for name in COLUMNS))
    for intent in sorted({name for r in reports for name in r.per_intent}):
        cells = [
            f"{r.per_intent[intent].f1:.3f}" if intent in r.per_intent else "-" for r in reports
        ]
        print(f"  {intent:<26}" + "".join(f"{cell:>10}" for cell in cells))
    if errors:
        for column, report in zip(columns[1:], reports[1:], strict=True):
            print(f"== errors of {column.name} (file:line: gold -> predicted: text)")
            for i in report.errors:
                row = rows[i]
                print(f"{row.file}:{row.line}: {row.label} -> {column.predicted[i]}: {row.text}")
