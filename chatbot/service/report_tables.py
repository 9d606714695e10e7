"""The report as plain rows: a summary of every figure, managers, closes per day, a look list."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import tzinfo
from pathlib import Path
from typing import Any

from chatbot.service.report import Report


def summary_rows(figures: dict[str, Any]) -> list[tuple[str, object]]:
    """Every scalar figure as (dotted key, value), e.g. ("dialogs.closed.spam", 31)."""
    rows: list[tuple[str, object]] = []

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif not isinstance(value, list):
            rows.append((prefix, value))

    walk("", figures)
    return rows


def closes_per_day(report: Report, tz: tzinfo) -> list[tuple[str, str, int]]:
    """(day in the shop's zone, reason, how many) in day order."""
    counts = Counter((at.astimezone(tz).date().isoformat(), reason) for at, reason in report.closes)
    return [(day, reason, n) for (day, reason), n in sorted(counts.items())]


def write_csv(report: Report, folder: Path, tz: tzinfo) -> list[Path]:
    """One CSV file per table in `folder` (created); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    manager_keys = ("id", "name", "dialogs", "messages", "response_avg_min", "breaches")
    managers: list[tuple[object, ...]] = [manager_keys]
    managers += [tuple(m[k] for k in manager_keys) for m in report.figures["managers"]]
    look_keys = ("at", "why", "customer", "phone", "channel", "dialog_id", "detail")
    look: list[tuple[object, ...]] = [look_keys]
    look += [tuple(_cell(item[k], tz) for k in look_keys) for item in report.look]
    tables: dict[str, list[tuple[object, ...]]] = {
        "summary.csv": [("figure", "value"), *summary_rows(report.figures)],
        "managers.csv": managers,
        "closes_per_day.csv": [("day", "reason", "dialogs"), *closes_per_day(report, tz)],
        "worth_a_look.csv": look,
    }
    written = []
    for name, rows in tables.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        written.append(path)
    return written


def _cell(value: object, tz: tzinfo) -> object:
    astimezone = getattr(value, "astimezone", None)
    return astimezone(tz).isoformat(timespec="minutes") if astimezone is not None else value
