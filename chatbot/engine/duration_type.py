"""Duration: a flow-file duration such as "10m", read once into a timedelta when files load."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from chatbot.core.durations import parse_duration


def _read(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        # the message a plain string field gave, so admins see what they always saw
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return parse_duration(value)


# Written as a string in files and in the schema ("90s", "10m", "24h", "1d2h"), a timedelta in code.
Duration = Annotated[timedelta, PlainValidator(_read), WithJsonSchema({"type": "string"})]
