"""The managers' texts an admin edits in flows/managers/<lang>.yaml, checked like any flow file.

A file lists only the texts it changes; the others keep their built-in wording. Every text
may use only the {placeholders} its built-in version uses, and the texts Telegram receives as
HTML must be valid HTML, so that no card or answer is refused at send time.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path

from chatbot.admin_files.yaml_source import YamlDoc, read_admin_file
from chatbot.engine.manager_wording import EN, RU, Wording
from chatbot.errors import Problem

FOLDER = "managers"  # under the flows folder
KINDS = "kinds"
# Shown as plain text (button labels, pop-up answers) or escaped before use: no HTML rules.
PLAIN = frozenset(
    {
        "take",
        "done",
        "back",
        "task",
        "stale_button",
        "refuse_button",
        "not_found",
        "took",
        "closed_done",
        "closed_back",
        "already_closed",
        "yours_already",
        "taken_by",
        "unspam",
        "unspam_done",
        "unspam_already",
    }
)
TEXT_KEYS = tuple(f.name for f in fields(Wording) if f.name != KINDS)
# The tags Telegram's HTML accepts.
_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def builtin(lang: str) -> Wording:
    """The built-in texts in this language (English unless Russian)."""
    return RU if lang == "ru" else EN


def allowed_placeholders(key: str) -> frozenset[str]:
    """The {placeholders} a text may use: those of its built-in versions."""
    return _placeholders(getattr(RU, key)) | _placeholders(getattr(EN, key))


def wording_in(flows_dir: Path, lang: str) -> Wording:
    """The managers' texts in `lang`: built-in, with the shop's file (if any) applied.

    Call it on files `check_wording` accepted; an invalid file raises here.
    """
    docs, _ = read_wording(flows_dir)
    return wording_from(docs, lang)


def wording_from(docs: Mapping[str, YamlDoc], lang: str) -> Wording:
    """The managers' texts in `lang` from files `read_wording` parsed and found valid."""
    base = builtin(lang)
    doc = docs.get(lang)
    if doc is None:
        return base
    data = doc.data or {}
    texts = {k: v for k, v in data.items() if k != KINDS}
    kinds = {**base.kinds, **{str(k): str(v) for k, v in dict(data.get(KINDS) or {}).items()}}
    return replace(base, kinds=kinds, **texts)


def check_wording(flows_dir: Path) -> list[Problem]:
    """Every problem in flows/managers/*.yaml, with its file, line and how to fix it."""
    return read_wording(flows_dir)[1]


def read_wording(flows_dir: Path) -> tuple[dict[str, YamlDoc], list[Problem]]:
    """Each flows/managers/<lang>.yaml parsed once (by language), and every problem in them."""
    folder = flows_dir / FOLDER
    docs: dict[str, YamlDoc] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return docs, problems  # optional: the built-in texts are used
    for path in sorted(folder.glob("*.yaml")):
        doc = read_admin_file(path, problems)
        if doc is not None:
            docs[path.stem] = doc
            problems.extend(_check_file(doc))
    return docs, problems


def _check_file(doc: YamlDoc) -> list[Problem]:
    if doc.data is None:
        return []
    if not isinstance(doc.data, dict):
        return [
            Problem(
                doc.file,
                1,
                "a managers' texts file maps text names to texts",
                hint='write lines like  take: "✋ Взять"',
            )
        ]
    problems: list[Problem] = []
    for key, value in doc.data.items():
        line = doc.line((key,))
        if key == KINDS:
            problems.extend(_check_kinds(doc, value))
        elif key not in TEXT_KEYS:
            close = difflib.get_close_matches(str(key), [*TEXT_KEYS, KINDS], n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see the shipped file for names"
            problems.append(Problem(doc.file, line, f"unknown managers' text {key!r}", hint=hint))
        elif not isinstance(value, str):
            problems.append(
                Problem(
                    doc.file,
                    line,
                    f"the text {key!r} is not a string",
                    hint="quote the text or use a | block",
                )
            )
        else:
            problems.extend(_check_text(doc.file, line, key, value))
    return problems


def _check_kinds(doc: YamlDoc, value: object) -> list[Problem]:
    if not isinstance(value, dict):
        return [
            Problem(
                doc.file,
                doc.line((KINDS,)),
                "kinds maps task kinds to their names",
                hint="write lines like  lead: лид  under kinds:",
            )
        ]
    return [
        Problem(
            doc.file,
            doc.line((KINDS, kind)),
            f"the name of task kind {kind!r} is not a string",
            hint="quote it",
        )
        for kind, name in value.items()
        if not isinstance(name, str)
    ]


def _check_text(file: str, line: int, key: str, text: str) -> list[Problem]:
    problems: list[Problem] = []
    allowed = allowed_placeholders(key)
    try:
        used = _placeholders(text)
    except ValueError as exc:
        return [
            Problem(
                file,
                line,
                f"the text {key!r} has a stray brace ({exc})",
                hint="write {{ and }} for a brace shown as is",
            )
        ]
    for name in sorted(used - allowed):
        may = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "no placeholders"
        problems.append(
            Problem(
                file, line, f"the text {key!r} uses unknown {{{name}}}", hint=f"it may use {may}"
            )
        )
    if key not in PLAIN and (html := html_problem(text)) is not None:
        problems.append(
            Problem(
                file,
                line,
                f"the text {key!r} is not valid Telegram HTML: {html}",
                hint="write &lt; &gt; &amp; for < > &, and close every tag",
            )
        )
    return problems


def html_problem(text: str) -> str | None:
    """What makes `text` invalid as Telegram HTML, or None when it is valid."""
    open_tags: list[str] = []
    for match in _TAG.finditer(text):
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _TAGS:
            return f"<{tag}> is not a tag Telegram knows"
        if not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            return f"</{tag}> closes a tag that is not open"
    if open_tags:
        return f"<{open_tags[-1]}> is never closed"
    rest = _TAG.sub("", text)
    if "<" in rest or ">" in rest:
        return "a bare < or >"
    if "&" in _ENTITY.sub("", rest):
        return "a bare &"
    return None


def _placeholders(text: str) -> frozenset[str]:
    """The names of the {placeholders} in a format string; ValueError on a stray brace."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
