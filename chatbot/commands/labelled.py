"""The labelled lines of evaluation files (JSONL): a text and its gold intent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


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
