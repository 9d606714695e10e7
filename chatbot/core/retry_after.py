"""A server's Retry-After header read as a bounded wait, for every sender that gets one."""

from __future__ import annotations

import math

MAX_RETRY_AFTER_SECONDS = 600.0  # the longest Retry-After a sender takes from a server


def retry_after_seconds(header: str | None, default: float | None, cap: float) -> float | None:
    """A Retry-After header in seconds, within [0, cap]; `default` when absent or not a number."""
    try:
        seconds = float(header) if header else None
    except ValueError:
        return default
    if seconds is None or not math.isfinite(seconds):
        return default
    return min(max(seconds, 0.0), cap)
