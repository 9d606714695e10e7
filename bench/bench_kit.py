"""What the end-to-end benchmarks share: ports, percentiles, CPU time, flows, Telegram updates."""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def free_port() -> int:
    """A free TCP port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def always_open_flows(folder: Path) -> Path:
    """A copy of flows/ whose shop never closes, so replies do not depend on the hour."""
    target = folder / "flows"
    shutil.copytree(ROOT / "flows", target)
    shop = target / "shop.yaml"
    text = re.sub(
        r'(?m)^(\s+(?:mon|tue|wed|thu|fri|sat|sun)): "[^"]*"$',
        r"\1: null",
        shop.read_text(encoding="utf-8"),
    )
    shop.write_text(re.sub(r"(?m)^(\s+holidays:) \[.*\]$", r"\1 []", text), encoding="utf-8")
    return target


def customer_update(
    update_id: int, chat: int, message_id: int, text: str, date: int = 1767225600
) -> dict[str, Any]:
    """A Telegram update: a customer's text message in a private chat."""
    person = {"id": chat, "is_bot": False, "first_name": "Анна", "language_code": "ru"}
    where = {"id": chat, "type": "private", "first_name": "Анна"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": date,
            "from": person,
            "chat": where,
            "text": text,
        },
    }
