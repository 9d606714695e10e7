"""`chatbot eval-intents`: score the classifier on labelled JSONL files."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `eval-intents` parser."""
    p = subparsers.add_parser("eval-intents", help="score the intent classifier on JSONL files")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("--errors", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Not wired yet."""
    print("eval-intents: not available yet")
    return 2
