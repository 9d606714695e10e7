"""Checks of the flows' texts: a file per language, every key translated, known variables."""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator
from pathlib import Path

from chatbot.admin_files.origins import Origins
from chatbot.engine.flowset import FlowSet
from chatbot.errors import Problem


def check_translations(
    flows: FlowSet, origins: Origins, known_vars: Iterable[str]
) -> list[Problem]:
    """Languages without texts, keys missing in a language, and unknown {variables}."""
    problems: list[Problem] = []
    known = frozenset(known_vars)
    langs = list(flows.shop.languages)
    for lang in langs:
        if lang not in flows.texts:
            file, line = origins.locate(("shop", "languages"))
            problems.append(
                Problem(
                    file,
                    line,
                    f"no texts for language {lang!r}",
                    hint=f"add flows/texts/{lang}.yaml or remove {lang} from shop.languages",
                    flow=Path(file).stem,
                )
            )
    all_keys = {k for texts in flows.texts.values() for k in texts}
    for key in sorted(all_keys):
        for lang in langs:
            if lang in flows.texts and key not in flows.texts[lang]:
                other = next(lg for lg in flows.texts if key in flows.texts[lg])
                file, line = origins.locate_text(other, key)
                problems.append(
                    Problem(
                        file,
                        line,
                        f"missing translation: {key!r} has no {lang} text",
                        hint=f"add {key}: to flows/texts/{lang}.yaml",
                    )
                )
    for lang, texts in flows.texts.items():
        for key, text in texts.items():
            for var in _placeholders(text):
                if var not in known:
                    file, line = origins.locate_text(lang, key)
                    problems.append(
                        Problem(
                            file,
                            line,
                            f"text {key!r} uses unknown variable {{{var}}}",
                            hint=f"use one of {few(known, 12)} or set it with set:",
                        )
                    )
    return problems


def _placeholders(text: str) -> Iterator[str]:
    for _, field_name, _, _ in string.Formatter().parse(text):
        if field_name:
            yield field_name


def few(names: Iterable[str], limit: int = 8) -> str:
    items = sorted(names)
    shown = ", ".join(items[:limit])
    return shown + (", ..." if len(items) > limit else "") if items else "(none defined)"
