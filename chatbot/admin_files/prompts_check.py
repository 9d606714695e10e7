"""Checks of the admin-edited LLM prompts (prompts/*.md): present, UTF-8, known slots."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path

from chatbot.errors import Problem

REQUIRED = ("classify.md",)
NUDGE = "nudge.md"  # required when a flow lets the LLM personalise a reply
SLOTS = frozenset({"stage", "last_bot_message", "text", "intents", "lang", "shop"})
NUDGE_SLOTS = frozenset({"template", "dialog", "lang", "shop", "max_chars"})
_SLOTS_OF = {"classify.md": SLOTS, NUDGE: NUDGE_SLOTS}
_NEEDED = {NUDGE: "template"}  # without the text to rewrite, the model would invent one
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def check_prompts(directory: Path, required: Iterable[str] = REQUIRED) -> list[Problem]:
    """Every problem of the prompts folder, each with file, line and how to fix it."""
    return read_prompts(directory, required)[1]


def read_prompts(
    directory: Path, required: Iterable[str] = REQUIRED
) -> tuple[dict[str, str], list[Problem]]:
    """Each prompt's text by file name, read once, and every problem of the folder."""
    texts: dict[str, str] = {}
    if not directory.is_dir():
        hint = "set PROMPTS_DIR or pass --prompts to an existing folder"
        return texts, [Problem(str(directory), 1, "the prompts folder does not exist", hint=hint)]
    problems: list[Problem] = []
    for name in required:
        if not (directory / name).exists():
            hint = "copy it from the shipped prompts/ folder"
            if name == NUDGE:
                hint += ": a flow reply says personalise: true"
            problems.append(
                Problem(str(directory / name), 1, f"the prompt {name} is missing", hint=hint)
            )
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            hint = "save the file as UTF-8"
            problems.append(Problem(str(path), 1, f"not UTF-8 text ({exc.reason})", hint=hint))
            continue
        texts[path.name] = text
        problems.extend(_check_text(path, text, _SLOTS_OF.get(path.name, SLOTS | NUDGE_SLOTS)))
    return texts, problems


def _blank_comments(text: str) -> str:
    # Notes for admins may mention {slots} freely; keep their newlines so line numbers hold.
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _check_text(path: Path, text: str, slots: frozenset[str]) -> list[Problem]:
    body = _blank_comments(text)
    if not body.strip():
        hint = "write the prompt text (notes between <!-- and --> do not count)"
        return [Problem(str(path), 1, "the prompt is empty", hint=hint)]
    if "<!--" in body:
        opened = body[: body.index("<!--")].count("\n") + 1
        return [
            Problem(
                str(path),
                opened,
                "a note opened with <!-- is never closed",
                hint="end the note with -->",
            )
        ]
    problems = []
    used: set[str] = set()
    for number, line in enumerate(body.splitlines(), start=1):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(line) if f is not None]
        except ValueError as exc:
            problems.append(
                Problem(
                    str(path),
                    number,
                    f"unbalanced braces: {exc}",
                    hint="write {{ and }} for literal braces",
                )
            )
            continue
        used.update(fields)
        for field in fields:
            if field and field not in slots:
                problems.append(
                    Problem(
                        str(path),
                        number,
                        f"unknown slot {{{field}}}",
                        hint=f"use one of {', '.join(sorted(slots))}",
                    )
                )
    needed = _NEEDED.get(path.name)
    if needed is not None and needed not in used and not problems:
        hint = f"put {{{needed}}} where the model should read it"
        problems.append(Problem(str(path), 1, f"the prompt never uses {{{needed}}}", hint=hint))
    return problems
