"""How `chatbot eval-intents` shows its scores: text tables and JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatbot.commands.labelled import Labelled
from chatbot.intents.evaluation import Report, evaluate
from chatbot.service.llm_evaluation import COLUMNS, Column, LlmCost

COST_ROWS: tuple[tuple[str, Callable[[LlmCost], str]], ...] = (
    ("LLM calls per 100 msgs", lambda k: f"{k.calls_per_100:.1f}"),
    ("prompt tokens", lambda k: str(k.prompt_tokens)),
    ("completion tokens", lambda k: str(k.completion_tokens)),
    ("LLM latency p50, ms", lambda k: str(round(k.latency_p50_s * 1000))),
    ("LLM latency p95, ms", lambda k: str(round(k.latency_p95_s * 1000))),
    ("no LLM intent (fallback)", lambda k: str(k.fallbacks)),
)


def share_json(count: int, n: int) -> dict[str, Any]:
    """How many of `n` messages would go to the LLM, and their share."""
    return {"count": count, "share": round(count / n, 4) if n else 0.0}


def error_json(row: Labelled, guess: str) -> dict[str, Any]:
    """One misclassified line as a JSON object."""
    return {
        "file": row.file,
        "line": row.line,
        "gold": row.label,
        "predicted": guess,
        "text": row.text,
    }


def print_report(report: Report, unsure: int) -> None:
    """One report as text: the scores, the share for the LLM, per intent and confusions."""
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


def column_json(column: Column, per_file: dict[str, list[Labelled]], errors: bool) -> Any:
    """One column's scores (all files and each file), its LLM cost and errors, as JSON."""
    rows = [row for pairs in per_file.values() for row in pairs]
    report = evaluate((row.label, guess) for row, guess in zip(rows, column.predicted, strict=True))
    body: dict[str, Any] = report.to_json()
    body["files"] = {name: report.to_json() for name, report in _file_reports(column, per_file)}
    body["llm"] = column.cost.to_json() if column.cost is not None else None
    if errors:
        body["errors"] = [error_json(rows[i], column.predicted[i]) for i in report.errors]
    return body


def _file_reports(column: Column, per_file: dict[str, list[Labelled]]) -> list[tuple[str, Report]]:
    out, start = [], 0
    for name, rows in per_file.items():
        guesses = column.predicted[start : start + len(rows)]
        out.append((name, evaluate((r.label, g) for r, g in zip(rows, guesses, strict=True))))
        start += len(rows)
    return out


def print_columns(
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
