"""Loading the editable rule files (flows/intents/*.yaml) with file:line problems."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chatbot.admin_files.examples_file import read_examples
from chatbot.admin_files.yaml_source import YamlDoc, YamlSyntaxError, read_yaml
from chatbot.core.intents import INTENTS
from chatbot.errors import FlowError, Problem
from chatbot.intents.cues import WEAK, Cue, Element, Pattern, build_index, compile_pattern
from chatbot.intents.examples import ExampleIndex
from chatbot.intents.lemmas import lemma
from chatbot.intents.normalize import normalize, tokens
from chatbot.intents.rules import RuleSet

YamlPath = tuple[str | int, ...]
_INTENT_KEYS = (
    "words",
    "phrases",
    "patterns",
    "weak",
    "weak_patterns",
    "not",
    "not_patterns",
    "weight",
)
_WORD_LISTS = ("question_words", "request_words", "acknowledgement_words")  # kept as lemmas
_EMOJI_LISTS = ("approval_emojis", "displeased_emojis")
_LISTS = ("fillers", *_WORD_LISTS, *_EMOJI_LISTS)
_ONCE = ("priority", "social", "spam_emojis")
_TOP_KEYS = ("intents", *_LISTS, *_ONCE)
_MIN_PREFIX = 3
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_rules(directory: Path) -> RuleSet:
    """The compiled rules of a folder; FlowError lists every problem found."""
    rules, problems = read_rules(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors or rules is None:
        raise FlowError(errors)
    return rules


def check_rules(directory: Path) -> list[Problem]:
    """Every problem of the rule files (errors and warnings), without raising."""
    return read_rules(directory)[1]


class _Reader:
    """Collects cues and settings from several files, and the problems met on the way."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.cues: dict[Cue, None] = {}  # in file order; a dict finds a repeat in constant time
        self.spellings: set[str] = set()  # the words as the files spell them, for typos
        self.patterns: list[Pattern] = []
        self.intents: dict[str, YamlDoc] = {}
        self.lists: dict[str, set[str]] = {key: set() for key in _LISTS}
        self.once: dict[str, tuple[YamlDoc, Any]] = {}

    def problem(self, doc: YamlDoc, path: YamlPath, message: str, hint: str) -> None:
        self.problems.append(Problem(doc.file, doc.line(path), message, hint=hint))

    def read(self, doc: YamlDoc) -> None:
        data = doc.data if doc.data is not None else {}
        if not isinstance(data, dict):
            self.problem(doc, (), "a rule file is a mapping", "start the file with  intents:")
            return
        for key, value in data.items():
            if key not in _TOP_KEYS:
                self.problem(
                    doc, (key,), f"unknown key {key!r}", f"use one of {', '.join(_TOP_KEYS)}"
                )
            elif key in _ONCE:
                if key in self.once:
                    first = self.once[key][0]
                    self.problem(
                        doc,
                        (key,),
                        f"{key} is already set in {first.file}",
                        "keep it in one file (common.yaml)",
                    )
                self.once[key] = (doc, value)
            elif key in _LISTS:
                for _, item in self._strings(doc, (key,), value):
                    word = item if key in _EMOJI_LISTS else normalize(item)
                    self.lists[key].add(lemma(word) if key in _WORD_LISTS else word)
        intents = data.get("intents")
        if intents is None:
            return
        if not isinstance(intents, dict):
            self.problem(
                doc, ("intents",), "intents must be a mapping", "write  intents:\\n  thanks: ..."
            )
            return
        for name, spec in intents.items():
            self._intent(doc, str(name), spec)

    def _strings(self, doc: YamlDoc, path: YamlPath, value: Any) -> list[tuple[int, str]]:
        if not isinstance(value, list):
            self.problem(doc, path, f"{path[-1]} must be a list", "write it as [a, b, c]")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append((i, item.strip()))
            else:
                self.problem(doc, (*path, i), f"{item!r} is not text", "write a word in quotes")
        return out

    def _intent(self, doc: YamlDoc, name: str, spec: Any) -> None:
        path: YamlPath = ("intents", name)
        if not _NAME.match(name):
            self.problem(doc, path, f"bad intent name {name!r}", "use lowercase letters and _")
            return
        self.intents.setdefault(name, doc)
        if not isinstance(spec, dict):
            self.problem(doc, path, "an intent is a mapping", "write  words: [..]  under it")
            return
        weight = spec.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            self.problem(doc, (*path, "weight"), f"weight {weight!r} is not a number", "e.g. 0.8")
            weight = 1.0
        elif not 0 < weight <= 1:
            self.problem(
                doc,
                (*path, "weight"),
                f"weight {weight} is out of range",
                "use a number above 0 and at most 1",
            )
            weight = 1.0
        for key, value in spec.items():
            where = (*path, key)
            if key not in _INTENT_KEYS:
                self.problem(
                    doc, where, f"unknown key {key!r}", f"use one of {', '.join(_INTENT_KEYS)}"
                )
            elif key.endswith("patterns"):
                scale = WEAK if key == "weak_patterns" else 1.0
                for i, item in self._strings(doc, where, value):
                    self._pattern(
                        doc, (*where, i), name, item, float(weight) * scale, key == "not_patterns"
                    )
            elif key != "weight":
                cue_weight = float(weight) * (WEAK if key == "weak" else 1.0)
                for i, item in self._strings(doc, where, value):
                    self._cue(doc, (*where, i), name, item, cue_weight, key)

    def _pattern(
        self, doc: YamlDoc, where: YamlPath, name: str, item: str, weight: float, negative: bool
    ) -> None:
        try:
            regex = compile_pattern(item)
        except re.error as exc:
            self.problem(
                doc,
                where,
                f"bad pattern {item!r}: {exc}",
                "check the regular expression (escape . ? ( with a backslash)",
            )
            return
        self.patterns.append(Pattern(name, regex, weight, negative))

    def _cue(
        self, doc: YamlDoc, where: YamlPath, name: str, item: str, weight: float, key: str
    ) -> None:
        elements: list[Element] = []
        parts = normalize(item).split(" ")
        for part in parts:
            if part.endswith("*"):
                head = tokens(part[:-1])
                if len(head) != 1 or len(head[0]) < _MIN_PREFIX or not part[:-1].isalnum():
                    self.problem(
                        doc,
                        where,
                        f"word beginning {part!r} is too short or not a word",
                        f"use at least {_MIN_PREFIX} letters before *",
                    )
                    return
                elements.append(Element(head[0], prefix=True))
            elif part.startswith("="):
                # this form only: "=возьму" takes "возьму", not "взяли" (one lemma, two tenses)
                elements.extend(Element(w, exact=True) for w in tokens(part[1:]))
            else:
                words = [w for w in tokens(part) if w not in self.lists["fillers"]]
                self.spellings.update(words)
                elements.extend(Element(lemma(w)) for w in words)
        if not elements:
            self.problem(doc, where, f"cue {item!r} has no words", "write letters or digits")
            return
        if len(parts) > 1 and len(elements) == 1:
            self.problems.append(
                Problem(
                    doc.file,
                    doc.line(where),
                    f"phrase {item!r} is one word without its fillers",
                    "it matches that word alone; use a pattern",
                    severity="warning",
                )
            )
        if key == "words" and len(elements) > 1:
            self.problem(doc, where, f"{item!r} is several words", "move it to phrases:")
            return
        cue = Cue(name, tuple(elements), weight, negative=key == "not")
        # Forms of one word share a lemma ("пиши", "пишите"): a cue counts once, not per form.
        if cue not in self.cues:
            self.cues[cue] = None
        elif key in ("words", "weak"):
            self.problems.append(
                Problem(
                    doc.file,
                    doc.line(where),
                    f"{item!r} is a form of a word already listed for {name} "
                    f"({elements[0].text}): every form of a word matches",
                    "keep one form of each word",
                    severity="warning",
                )
            )


def read_rules(directory: Path) -> tuple[RuleSet | None, list[Problem]]:
    """The compiled rules (None when any is an error) and every problem, from one read."""
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not files:
        hint = "keep flows/intents/common.yaml and one file per language (ru.yaml, en.yaml)"
        return None, [Problem(str(directory), 1, "no intent rule files found", hint=hint)]
    reader = _Reader()
    docs: list[YamlDoc] = []
    for path in files:
        try:
            docs.append(read_yaml(path))
        except YamlSyntaxError as exc:
            what, hint = str(exc).split(": ", 1)[-1], "fix the YAML syntax (indentation, quotes)"
            reader.problems.append(Problem(exc.file, exc.line, what, hint=hint))
    # fillers first: they are dropped from the cues of every file
    for doc in docs:
        if isinstance(doc.data, dict) and isinstance(doc.data.get("fillers"), list):
            reader.lists["fillers"].update(normalize(str(f)) for f in doc.data["fillers"])
    for doc in docs:
        reader.read(doc)
    priority = _names(reader, "priority", required=True)
    social = _names(reader, "social", required=False)
    flood = reader.once.get("spam_emojis", (None, 4))
    if isinstance(flood[1], bool) or not isinstance(flood[1], int) or flood[1] < 1:
        doc = flood[0] or docs[0]
        reader.problem(
            doc, ("spam_emojis",), "spam_emojis must be a whole number above 0", "e.g. 4"
        )
    examples, problems = read_examples(directory / "examples", frozenset(priority) | {"other"})
    reader.problems.extend(problems)
    if any(p.severity == "error" for p in reader.problems):
        return None, reader.problems
    rules = RuleSet(
        index=build_index(reader.cues, reader.patterns, reader.spellings),
        priority=priority,
        social=frozenset(social) if social else RuleSet.social,
        fillers=frozenset(reader.lists["fillers"]),
        question_words=frozenset(reader.lists["question_words"]),
        request_words=frozenset(reader.lists["request_words"]),
        acknowledgement_words=frozenset(reader.lists["acknowledgement_words"]),
        approval_emojis=frozenset(reader.lists["approval_emojis"]),
        displeased_emojis=frozenset(reader.lists["displeased_emojis"]),
        spam_emojis=int(flood[1]),
        examples=ExampleIndex.of(examples) if examples else None,
    )
    return rules, reader.problems


def _names(reader: _Reader, key: str, required: bool) -> tuple[str, ...]:
    """An ordered list of intent names (priority, social), checked against the defined ones."""
    if key not in reader.once:
        if required:
            hint = f"add  {key}: [spam, complaint, ...]  to common.yaml"
            reader.problems.append(Problem("common.yaml", 1, f"no {key} list", hint=hint))
        return ()
    doc, value = reader.once[key]
    names = [name for _, name in reader._strings(doc, (key,), value)]
    known = set(INTENTS) | set(reader.intents)
    for i, name in enumerate(names):
        if name not in known:
            reader.problem(
                doc,
                (key, i),
                f"unknown intent {name!r} in {key}",
                "define its cues under intents: or remove it",
            )
    if key == "priority":
        for name, where in reader.intents.items():
            if name not in names and name != "other":
                reader.problem(
                    doc,
                    (key,),
                    f"intent {name!r} (from {where.file}) is missing from priority",
                    f"insert {name} where it should win ties",
                )
    return tuple(names)
