"""Loading the editable rule files (flows/intents/*.yaml) with file:line errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chatbot.core.intents import INTENTS
from chatbot.engine.yaml_source import YamlDoc, YamlSyntaxError, read_yaml
from chatbot.errors import FlowError, Problem
from chatbot.intents.rules import STRONG, WEAK, CueSet, Marker, RuleSet

COMMON = "common.yaml"
_CUE_KEYS = ("strong", "weak")
_TOP_KEYS = ("intents", "markers", "priority", "approval_emojis", "spam_emoji_flood")


def load_rules(directory: Path) -> RuleSet:
    """The compiled rules of a folder; FlowError lists every problem."""
    rules, problems = _load(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors or rules is None:
        raise FlowError(errors)
    return rules


def check_rules(directory: Path) -> list[Problem]:
    """Every problem of the rule files, without raising."""
    return _load(directory)[1]


def _load(directory: Path) -> tuple[RuleSet | None, list[Problem]]:
    problems: list[Problem] = []
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not files:
        hint = "keep flows/intents/common.yaml and one file per language (ru.yaml, en.yaml)"
        return None, [Problem(str(directory), 1, "no intent rule files found", hint=hint)]
    cues: dict[str, dict[str, float]] = {}
    phrases: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    markers: dict[str, tuple[dict[str, float], list[tuple[re.Pattern[str], float]], set[str]]]
    markers = {}
    settings: dict[str, Any] = {}
    docs: list[YamlDoc] = []
    for path in files:
        try:
            doc = read_yaml(path)
        except YamlSyntaxError as exc:
            problems.append(Problem(exc.file, exc.line, str(exc).split(": ", 1)[1],
                                    hint="fix the YAML syntax"))  # fmt: skip
            continue
        docs.append(doc)
        data = doc.data or {}
        if not isinstance(data, dict):
            problems.append(_p(doc, (), "a rule file is a mapping", "start with intents:"))
            continue
        for key in data:
            if key not in _TOP_KEYS:
                problems.append(_p(doc, (key,), f"unknown key {key!r}",
                                   f"use one of {', '.join(_TOP_KEYS)}"))  # fmt: skip
        for key in ("priority", "approval_emojis", "spam_emoji_flood"):
            if key in data:
                settings[key] = (doc, data[key])
        for name, spec in (data.get("intents") or {}).items():
            words = cues.setdefault(str(name), {})
            found = phrases.setdefault(str(name), [])
            _read_cues(doc, ("intents", name), spec, words, found, problems)
        for name, spec in (data.get("markers") or {}).items():
            words, found, suppressed = markers.setdefault(str(name), ({}, [], set()))
            _read_cues(doc, ("markers", name), spec, words, found, problems, marker=True)
            if isinstance(spec, dict):
                suppressed.update(str(s) for s in spec.get("suppresses") or ())
    priority = _priority(settings, cues, problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    compiled = {name: _compile(words, phrases[name]) for name, words in cues.items()}
    built_markers = tuple(
        Marker(name, _compile(words, found), frozenset(suppressed))
        for name, (words, found, suppressed) in markers.items()
    )
    approval = settings.get("approval_emojis", (None, []))[1]
    flood = settings.get("spam_emoji_flood", (None, 4))[1]
    return RuleSet(compiled, built_markers, priority, frozenset(approval), int(flood)), problems


def _read_cues(
    doc: YamlDoc,
    path: tuple[str | int, ...],
    spec: Any,
    words: dict[str, float],
    found: list[tuple[re.Pattern[str], float]],
    problems: list[Problem],
    marker: bool = False,
) -> None:
    allowed = (*_CUE_KEYS, "suppresses") if marker else _CUE_KEYS
    if not isinstance(spec, dict):
        problems.append(_p(doc, path, "expected a mapping with strong: and weak: lists",
                           "write  strong: [word, prefix*, two words]"))  # fmt: skip
        return
    for key, items in spec.items():
        if key not in allowed:
            problems.append(_p(doc, (*path, key), f"unknown key {key!r}",
                               f"use one of {', '.join(allowed)}"))  # fmt: skip
            continue
        if key == "suppresses":
            continue
        weight = STRONG if key == "strong" else WEAK
        if not isinstance(items, list):
            problems.append(_p(doc, (*path, key), f"{key} must be a list", "use [a, b, c]"))
            continue
        for i, item in enumerate(items):
            where = (*path, key, i)
            if not isinstance(item, str) or not item.strip():
                problems.append(_p(doc, where, f"cue {item!r} is not text", "quote it"))
                continue
            _add_cue(doc, where, item.strip().lower().replace("ё", "е"), weight, words, found,
                     problems)  # fmt: skip


def _add_cue(
    doc: YamlDoc,
    where: tuple[str | int, ...],
    cue: str,
    weight: float,
    words: dict[str, float],
    found: list[tuple[re.Pattern[str], float]],
    problems: list[Problem],
) -> None:
    if cue.startswith("re:"):
        try:
            found.append((re.compile(cue[3:].strip()), weight))
        except re.error as exc:
            problems.append(_p(doc, where, f"bad pattern {cue[3:]!r}: {exc}",
                               "check the regular expression"))  # fmt: skip
        return
    if " " in cue:
        body = r"\s+".join(
            re.escape(part[:-1]) + r"\w*" if part.endswith("*") else re.escape(part) + r"\b"
            for part in cue.split()
        )
        found.append((re.compile(r"(?<![\w])" + body), weight))
        return
    if cue.endswith("*"):
        stem = cue[:-1]
        if len(stem) < 3:
            problems.append(_p(doc, where, f"prefix {cue!r} is too short",
                               "use at least 3 letters before *"))  # fmt: skip
            return
        words[stem + "*"] = weight
        return
    words[cue] = weight


def _compile(words: dict[str, float], found: list[tuple[re.Pattern[str], float]]) -> CueSet:
    exact = {w: v for w, v in words.items() if not w.endswith("*")}
    prefixes = {w[:-1]: v for w, v in words.items() if w.endswith("*")}
    return CueSet(exact, prefixes, tuple(found))


def _priority(
    settings: dict[str, Any], cues: dict[str, dict[str, float]], problems: list[Problem]
) -> tuple[str, ...]:
    if "priority" not in settings:
        hint = "add priority: [spam, complaint, ...] to common.yaml"
        problems.append(Problem(COMMON, 1, "no priority list", hint=hint))
        return ()
    doc, value = settings["priority"]
    order = [str(v) for v in value] if isinstance(value, list) else []
    known = set(INTENTS) | set(cues)
    for i, name in enumerate(order):
        if name not in known:
            problems.append(_p(doc, ("priority", i), f"unknown intent {name!r} in priority",
                               "define its cues under intents: or remove it"))  # fmt: skip
    for name in cues:
        if name not in order:
            problems.append(_p(doc, ("priority",), f"intent {name!r} is missing from priority",
                               f"insert {name} where it should win ties"))  # fmt: skip
    return tuple(order)


def _p(doc: YamlDoc, path: tuple[str | int, ...], message: str, hint: str) -> Problem:
    return Problem(doc.file, doc.line(path), message, hint=hint, flow=Path(doc.file).stem)
