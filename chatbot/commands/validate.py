"""`chatbot validate [--flows DIR] [--prompts DIR] [--json]`: check every admin file, file:line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from chatbot.admin_files.load import read_admin_files
from chatbot.config import Settings
from chatbot.errors import Problem


def register(p: argparse.ArgumentParser) -> None:
    """Add the `validate` arguments."""
    p.add_argument("--flows", type=Path, default=None, help="flows folder (default FLOWS_DIR)")
    p.add_argument(
        "--prompts", type=Path, default=None, help="prompts folder (default PROMPTS_DIR)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per problem (file, line, severity, message, hint, flow, stage)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print every problem; exit 1 when there are errors, 0 otherwise."""
    settings = Settings()
    result = read_admin_files(
        args.flows or settings.flows_dir, args.prompts or settings.prompts_dir
    )
    if args.json:
        # For editors and CI: the problems only; the exit code says whether any is an error.
        for problem in result.problems:
            print(json.dumps(problem_json(problem), ensure_ascii=False))
        return 1 if result.errors else 0
    for problem in result.problems:
        print(problem)
    if result.errors:
        print(f"{len(result.errors)} errors, {len(result.warnings)} warnings")
        return 1
    assert result.files is not None
    flows = result.files.flows
    counts = f"{len(flows.stages)} stages, {len(flows.timers)} timers, {len(flows.menus)} menus"
    print(f"flows OK: {counts}, {_texts_summary(flows.texts)}; {len(result.warnings)} warnings")
    return 0


def problem_json(problem: Problem) -> dict[str, object]:
    """A problem as `--json` prints it."""
    return {
        "file": problem.file,
        "line": problem.line,
        "severity": problem.severity,
        "message": problem.message,
        "hint": problem.hint,
        "flow": problem.flow,
        "stage": problem.stage,
    }


def _texts_summary(texts: Mapping[str, Mapping[str, str]]) -> str:
    sizes = {len(by_key) for by_key in texts.values()}
    if len(sizes) == 1:
        return f"{sizes.pop()} texts per language ({', '.join(sorted(texts))})"
    # Counts differ only for a texts file of a language shop.languages does not list.
    return "texts: " + ", ".join(f"{lang} {len(by_key)}" for lang, by_key in sorted(texts.items()))
