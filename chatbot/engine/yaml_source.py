"""YAML reading that remembers the line of every key and item, for file:line errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class FlowYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so `on:` and `no` stay strings."""


FlowYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FlowYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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
