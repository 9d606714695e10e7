"""`chatbot eval-intents FILE.jsonl... [--json] [--errors] [--rules DIR]`: score the rules."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatbot.config import Settings
from chatbot.errors import FlowError
from chatbot.intents.evaluation import Report, evaluate
from chatbot.intents.rules import RuleSet, classify
from chatbot.intents.rules_loader import load_rules

EXIT_BAD_RULES = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled line of an evaluation file."""

    file: str
    line: int
    text: str
    label: str


class BadLine(ValueError):
    """A line of an evaluation file is not a {"text", "label"} object."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `eval-intents` parser."""
    p = subparsers.add_parser("eval-intents", help="score the intent classifier on JSONL files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--errors", action="store_true", help="list misclassified lines")
    p.add_argument(
        "--rules", type=Path, default=None, help="rule folder (default FLOWS_DIR/intents)"
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
            out.append(Labelled(str(path), number, row["text"], row["label"]))
    return out


def run(args: argparse.Namespace) -> int:
    """Score every file and all of them together."""
    folder = args.rules if args.rules is not None else Settings().flows_dir / "intents"
    try:
        rules = load_rules(folder)
    except FlowError as exc:
        print(f"the rule files are invalid:\n{exc}", file=sys.stderr)
        return EXIT_BAD_RULES
    try:
        per_file = {str(p): read_labelled(p) for p in args.files}
    except (OSError, UnicodeDecodeError, BadLine) as exc:
        print(f"eval-intents: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    guessed = {name: _guess(rows, rules) for name, rows in per_file.items()}
    everything = [pair for pairs in guessed.values() for pair in pairs]
    total = evaluate((row.label, guess) for row, guess in everything)
    files = {name: evaluate((r.label, g) for r, g in pairs) for name, pairs in guessed.items()}
    errors = [everything[i] for i in total.errors]
    if args.json:
        body: dict[str, Any] = total.to_json()
        body["files"] = {name: report.to_json() for name, report in files.items()}
        if args.errors:
            body["errors"] = [
                {"file": r.file, "line": r.line, "gold": r.label, "predicted": g, "text": r.text}
                for r, g in errors
            ]
        print(json.dumps(body, ensure_ascii=False))
        return 0
    for name, report in files.items():
        print(f"== {name}")
        _print_report(report)
    if len(files) > 1:
        print("== all files")
        _print_report(total)
    if args.errors:
        print("== errors (file:line: gold -> predicted: text)")
        for row, guess in errors:
            print(f"{row.file}:{row.line}: {row.label} -> {guess}: {row.text}")
    return 0


def _guess(rows: list[Labelled], rules: RuleSet) -> list[tuple[Labelled, str]]:
    return [(row, classify(row.text, rules).intent) for row in rows]


def _print_report(report: Report) -> None:
    print(f"n={report.n}  accuracy={report.accuracy:.3f}  macro-F1={report.macro_f1:.3f}")
    print(f"  {'intent':<16} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for name, s in report.per_intent.items():
        print(f"  {name:<16} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8}")
    if report.confusions:
        print("  most common confusions (gold -> predicted):")
        for gold, guess, count in report.confusions:
            print(f"    {gold} -> {guess}: {count}")
