"""YAML reading that remembers the line of every key and item, for file:line errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chatbot.errors import Problem

Path_ = tuple[str | int, ...]


class FlowYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars, so admin files read as written.

    YAML 1.1 (PyYAML's default) reads `on:` and `no` as booleans, `after: 1:30` as the number
    90 (base 60) and `storage_days: 010` as 8 (octal). Here only true/false are booleans, a
    number is decimal unless it says 0o or 0x, and "1:30" stays text.
    """


_BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float"))
FlowYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FlowYamlLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
FlowYamlLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
FlowYamlLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """A YAML 1.2 integer: decimal ("010" is 10), or 0o / 0x as written."""
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


FlowYamlLoader.add_constructor(_INT, _construct_int)


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A parsed YAML file with the line (1-based) of each path inside it."""

    file: str
    data: Any
    lines: Mapping[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; carries the line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file = file
        self.line = line
        super().__init__(f"{file}:{line}: {message}")


def read_yaml(path: Path, display: str | None = None) -> YamlDoc:
    """Parse a YAML file into plain data plus a path -> line map."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(name, 1, f"not UTF-8 text ({exc.reason})") from exc
    return parse_yaml(text, name)


def read_admin_file(path: Path, problems: list[Problem]) -> YamlDoc | None:
    """The parsed file, or None with its YAML syntax error added to `problems`."""
    try:
        return read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(
            Problem(
                exc.file,
                exc.line,
                str(exc).split(": ", 1)[1],
                hint="fix the YAML syntax (indentation, quotes, colons)",
            )
        )
        return None


def parse_yaml(text: str, name: str) -> YamlDoc:
    """Parse YAML text into plain data plus a path -> line map."""
    try:
        node = yaml.compose(text, Loader=FlowYamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(name, line, f"YAML syntax: {exc.problem or exc}") from exc
    lines: dict[Path_, int] = {}
    if node is None:
        return YamlDoc(name, None, {(): 1})
    data = _convert(node, (), lines, name)
    return YamlDoc(name, data, lines)


def _convert(node: yaml.Node, path: Path_, lines: dict[Path_, int], name: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                raise YamlSyntaxError(
                    name, key_node.start_mark.line + 1, f"the key {key!r} appears twice"
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*path, key), lines, name)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines, name) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    # Constructing a scalar alone keeps YAML's own typing (ints, bools, dates, null).
    return FlowYamlLoader("").construct_object(node, deep=True)
