"""Request bodies read as JSON within limits, with every string cleaned (DESIGN.md §4).

Python's parser recurses once per level of nesting (10,000 levels raise RecursionError) and
refuses integers beyond 4,300 digits with a bare ValueError; both used to surface as 500 on
every redelivery. Every webhook and the events API read their bodies here instead, so that such
a body is refused with a short reason before anything is parsed or stored.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from chatbot.core.untrusted import clean_tree

MAX_DEPTH: Final = 64
"""Nesting deeper than this is refused; Telegram and WhatsApp bodies are about ten deep."""
INT_RANGE: Final = range(-(2**63), 2**63)
"""Integers outside 64 bits are refused: no field of any API we read goes beyond them."""
_INT_CHARS: Final = len(str(-(2**63)))
# Strings are cut out before brackets are counted: a "[" inside a text is no nesting.
_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET: Final = re.compile(r"[\[\]{}]")


class BodyRefused(ValueError):
    """A body that is not JSON or is beyond the limits; `reason` is short and safe to answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_json(raw: bytes) -> Any:
    """The JSON value of `raw` with its strings cleaned; BodyRefused with the reason otherwise."""
    try:
        # surrogatepass: an encoded lone surrogate is kept here and cleaned like "\ud800"
        text = raw.decode("utf-8", "surrogatepass").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BodyRefused("the body is not UTF-8") from None
    if _too_deep(text):
        raise BodyRefused(f"the body is nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_real, parse_constant=_constant)
    except BodyRefused:
        raise
    except ValueError as exc:
        raise BodyRefused(f"the body is not JSON: {exc}") from None
    return clean_tree(value)


def _too_deep(text: str) -> bool:
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _integer(digits: str) -> int:
    # The length first: int() of thousands of digits is slow, and beyond 4,300 refused anyway.
    if len(digits) > _INT_CHARS or (value := int(digits)) not in INT_RANGE:
        raise BodyRefused("the body has a number beyond 64 bits")
    return value


def _real(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise BodyRefused("the body has a number too large for a float")
    return value


def _constant(name: str) -> float:
    raise BodyRefused(f"the body has {name}, which is not JSON")
