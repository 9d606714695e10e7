"""The LLM's answer: its pydantic model, a lenient parser and the JSON Schema sent to servers.

Whatever a model writes, the parser returns one of the known intents or None. It accepts strict
JSON, JSON inside ``` fences or with prose around it, and a bare label ("Intent: thanks.").
Refusals, unknown labels, truncated JSON and empty text give None, so the rules' answer stands.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chatbot.core.intents import INTENTS

MAX_ANSWER_CHARS = 4000  # an intent answer is a few tokens; a novel is not worth scanning
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)```", re.DOTALL)
_PREFIX = re.compile(
    r"^(?:the\s+)?(?:intent|label|answer|category|class)(?:\s+is)?\s*[:=\-]?\s*", re.IGNORECASE
)
_EDGES = " \t\r\n\"'`*_.,;:!?()[]<>«»"
_SEPARATORS = re.compile(r"[\s\-]+")


class IntentAnswer(BaseModel):
    """The JSON object a model is asked for: `{"intent": "..."}`, optionally a confidence."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    intent: str = Field(min_length=1, max_length=64)
    confidence: float | None = Field(None, ge=0.0, le=1.0)


def parse_answer(raw: str, known: frozenset[str]) -> str | None:
    """The known intent a model's reply names, or None when it names none (or several)."""
    text = _THINK.sub("", raw[:MAX_ANSWER_CHARS]).strip()
    if not text:
        return None
    labels = {_canonical(k): k for k in known}
    for candidate in _json_candidates(text):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, str):
            return labels.get(_canonical(value))
        if not isinstance(value, dict):
            return None
        try:
            answer = IntentAnswer.model_validate(value)
        except ValidationError:
            return None
        return labels.get(_canonical(answer.intent))
    if "{" in text:
        return None  # JSON was meant but is broken or cut off: guessing would be unsafe
    return _bare_label(text, labels)


def answer_json_schema(known: frozenset[str]) -> dict[str, Any]:
    """The JSON Schema of an answer whose intent is one of `known` (strict-mode compatible)."""
    return {
        "type": "object",
        "properties": {"intent": {"type": "string", "enum": ordered(known)}},
        "required": ["intent"],
        "additionalProperties": False,
    }


def ordered(known: frozenset[str]) -> list[str]:
    """The intents in their documented order, then the shop's own ones alphabetically."""
    return [i for i in INTENTS if i in known] + sorted(known - set(INTENTS))


def _json_candidates(text: str) -> list[str]:
    # The whole reply, each fenced block, then the first {...} with prose around it.
    found = [text, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        found.append(text[start : end + 1])
    return found


def _bare_label(text: str, labels: dict[str, str]) -> str | None:
    text = _FENCE.sub(lambda m: m.group(1), text)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        return None  # several lines are prose or a refusal, not a label
    line = _PREFIX.sub("", lines[0].strip(_EDGES))
    return labels.get(_canonical(line))


def _canonical(label: str) -> str:
    return _SEPARATORS.sub("_", label.strip(_EDGES).lower())
