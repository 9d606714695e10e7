"""Parsing of durations such as `25h`, `1d2h`, `90s`, `10m` used in scripts and flows."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """Turn `1d2h` into a timedelta; raise ValueError with a hint on anything else."""
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError(
            f"bad duration {text!r}: use a number and a unit s, m, h, d or w, "
            "e.g. 90s, 10m, 24h, 1d2h"
        )
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The shortest `1d2h30m` form of a duration."""
    total = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"
