"""Conversation scripts (DESIGN.md §3.2): parsing and checking, with step-numbered errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from chatbot.admin_files.yaml_source import FlowYamlLoader
from chatbot.core.durations import parse_duration
from chatbot.core.events import CRM_EVENTS, MANAGER_ACTIONS
from chatbot.errors import ScriptError

CHANNELS = ("telegram", "whatsapp", "instagram", "vk", "console")
NOT_SPAM = "not_spam"  # a manager reopens a spam-closed dialog (/spam in the managers' chat)
STEP_KINDS = ("say", "press", "wait", "event", "manager", "manager_action", "block")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a script: its kind and its value."""

    kind: str
    value: Any
    index: int


@dataclass(frozen=True)
class Script:
    """A parsed conversation script."""

    name: str
    channel: str
    customer: dict[str, str]
    start: datetime | None
    steps: tuple[Step, ...]
    extra: dict[str, Any] = field(default_factory=dict)


def load_script(path: Path) -> Script:
    """Read and check a script file; ScriptError names the file, the step and the fix."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FlowYamlLoader)
    except yaml.MarkedYAMLError as exc:
        # PyYAML's message spans several lines; where and what is enough to fix it
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise ScriptError(f"{path}{where}: not valid YAML: {exc.problem or exc}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ScriptError(f"{path}: cannot read the script: {exc}") from exc
    return parse_script(data, str(path))


def parse_script(data: Any, origin: str = "script") -> Script:
    """Check a script's data (as loaded from YAML)."""
    if not isinstance(data, dict):
        raise ScriptError(f"{origin}: a script is a mapping with name, channel and steps")
    channel = str(data.get("channel", "telegram"))
    if channel not in CHANNELS:
        raise ScriptError(
            f"{origin}: unknown channel {channel!r}; use one of {', '.join(CHANNELS)}"
        )
    customer = data.get("customer") or {}
    if not isinstance(customer, dict):
        raise ScriptError(f"{origin}: customer must be a mapping like {{name: Анна, lang: ru}}")
    start = data.get("start")
    if start is not None:
        start = _parse_start(start, origin)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScriptError(f"{origin}: steps must be a non-empty list")
    steps = tuple(_parse_step(raw, i, origin) for i, raw in enumerate(raw_steps, start=1))
    extra = {
        k: v for k, v in data.items() if k not in ("name", "channel", "customer", "start", "steps")
    }
    return Script(
        name=str(data.get("name", Path(origin).stem)),
        channel=channel,
        customer={str(k): str(v) for k, v in customer.items()},
        start=start,
        steps=steps,
        extra=extra,
    )


def _parse_start(value: Any, origin: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise ScriptError(
                f"{origin}: start {value!r} is not ISO 8601, e.g. 2026-03-02T11:00:00+03:00"
            ) from exc
    if parsed.tzinfo is None:
        raise ScriptError(f"{origin}: start needs a UTC offset, e.g. 2026-03-02T11:00:00+03:00")
    return parsed


def _parse_step(raw: Any, index: int, origin: str) -> Step:
    where = f"{origin}: step {index}"
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ScriptError(f"{where}: a step is one of {', '.join(STEP_KINDS)}, e.g. - say: hi")
    kind, value = next(iter(raw.items()))
    if kind not in STEP_KINDS:
        raise ScriptError(f"{where}: unknown step {kind!r}; use one of {', '.join(STEP_KINDS)}")
    if kind == "say":
        if isinstance(value, dict):
            if "text" not in value:
                raise ScriptError(f"{where}: say needs text, e.g. say: {{text: hi, id: m-1}}")
            value = {"text": str(value["text"]), "id": _opt_str(value.get("id"))}
        else:
            value = {"text": str(value), "id": None}
    elif kind == "manager" and isinstance(value, dict):
        if "text" not in value:
            raise ScriptError(f"{where}: manager needs text, e.g. manager: {{text: hi, by: Olga}}")
        value = {"text": str(value["text"]), "by": str(value.get("by") or "manager")}
    elif kind in ("press", "manager"):
        value = str(value)
    elif kind == "wait":
        try:
            value = parse_duration(str(value))
        except ValueError as exc:
            raise ScriptError(f"{where}: {exc}") from exc
    elif kind == "event":
        value = _parse_event(value, where)
    elif kind == "manager_action":
        if value not in (*MANAGER_ACTIONS, NOT_SPAM):
            names = ", ".join((*MANAGER_ACTIONS, NOT_SPAM))
            raise ScriptError(f"{where}: manager_action is one of {names}")
    elif kind == "block" and not isinstance(value, bool):
        raise ScriptError(f"{where}: block is true (blocks the bot) or false (unblocks)")
    return Step(kind, value, index)


def _parse_event(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or "type" not in value:
        raise ScriptError(f"{where}: event needs a type, e.g. event: {{type: order_paid}}")
    if value["type"] not in CRM_EVENTS:
        raise ScriptError(
            f"{where}: unknown event {value['type']!r}; use one of {', '.join(CRM_EVENTS)}"
        )
    return dict(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def total_wait(script: Script) -> timedelta:
    """How much virtual time the script's waits add up to."""
    return sum((s.value for s in script.steps if s.kind == "wait"), timedelta(0))
