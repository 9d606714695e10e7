"""Benchmark (a): the pure core alone — rules classifier and engine step — events per second.

Prints JSON lines: rules alone, engine alone, and both per customer message.
Run: .venv/bin/python bench/engine_rules.py [--events N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_messages import MESSAGES

from chatbot.core.events import CustomerMessage, TimerFired
from chatbot.core.state import DialogState
from chatbot.engine.decision import decide
from chatbot.engine.step import step
from chatbot.service.app import load_admin_files

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Run the three measurements and print one JSON line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    n = parser.parse_args().events
    flows, rules = load_admin_files(ROOT / "flows")
    texts = [MESSAGES[i % len(MESSAGES)] for i in range(n)]

    start = time.perf_counter()
    decisions = [rules(t) for t in texts]
    took = time.perf_counter() - start
    emit("rules_classifier", n, took)

    now = datetime(2026, 3, 2, 11, 0, tzinfo=ZoneInfo(flows.shop.timezone))
    dialogs = 100
    states = [DialogState(channel="telegram") for _ in range(dialogs)]
    events = [CustomerMessage(t, d) for t, d in zip(texts, decisions, strict=True)]
    start = time.perf_counter()
    for i, event in enumerate(events):
        k = i % dialogs
        result = step(states[k], event, flows, now + timedelta(seconds=i), None)
        states[k] = result.state
        if result.state.closed:
            states[k] = DialogState(channel="telegram")
    took = time.perf_counter() - start
    emit("engine_step", n, took, dialogs=dialogs)

    states = [DialogState(channel="telegram") for _ in range(dialogs)]
    start = time.perf_counter()
    fired = 0
    for i, text in enumerate(texts):
        k = i % dialogs
        at = now + timedelta(minutes=i)
        decision = decide(text, None, states[k], flows, rules)
        result = step(states[k], CustomerMessage(text, decision), flows, at, None)
        states[k] = result.state
        for name, timer in list(states[k].timers.items())[:1]:
            result = step(states[k], TimerFired(name, timer.token), flows, timer.due, None)
            states[k] = result.state
            fired += 1
        if states[k].closed:
            states[k] = DialogState(channel="telegram")
    took = time.perf_counter() - start
    emit("rules_plus_engine", n + fired, took, dialogs=dialogs, timer_events=fired)


def emit(name: str, events: int, seconds: float, **extra: int) -> None:
    """Print one result line."""
    line = {
        "bench": name,
        "events": events,
        "seconds": round(seconds, 4),
        "events_per_second": round(events / seconds),
        "us_per_event": round(1e6 * seconds / events, 2),
        **extra,
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
