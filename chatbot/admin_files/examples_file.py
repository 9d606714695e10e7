"""Labelled example messages on disk (flows/intents/examples/*.jsonl), with file:line problems."""

from __future__ import annotations

import json
from pathlib import Path

from chatbot.errors import Problem


def read_examples(
    folder: Path, intents: frozenset[str]
) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The (text, label) pairs of folder/*.jsonl and the problems of their lines."""
    examples: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = row["text"], row["label"]
            except (ValueError, TypeError, KeyError):
                hint = 'write one object a line: {"text": "...", "label": "ask_price"}'
                problems.append(Problem(str(path), number, "not a labelled example", hint=hint))
                continue
            if label not in intents:
                hint = f"use one of {', '.join(sorted(intents))}"
                problems.append(Problem(str(path), number, f"unknown intent {label!r}", hint=hint))
            elif isinstance(text, str) and text.strip():
                examples.append((text, label))
    return examples, problems
