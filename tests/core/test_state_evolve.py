"""`evolve` changes a state exactly as `dataclasses.replace` would, only faster."""

from dataclasses import FrozenInstanceError, fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chatbot.core.state import DialogState, StateChanges, TimerState, evolve


def _state() -> DialogState:
    due = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    return DialogState(
        channel="telegram",
        stage="thinking",
        flags=frozenset({"vip"}),
        vars={"amount": "2500"},
        timers={"nudge_1": TimerState(token=3, due=due)},
        last_inbound_at=due,
        seq=3,
        version=7,
    )


def test_evolve_equals_replace() -> None:
    state = _state()
    now = datetime(2026, 3, 4, tzinfo=UTC)
    changed = evolve(state, stage="new", menu="main", waiting_since=now, version=8)
    assert changed == replace(state, stage="new", menu="main", waiting_since=now, version=8)
    assert evolve(state) == state
    assert state.stage == "thinking"  # the original is untouched


def test_every_field_can_be_changed_and_no_other() -> None:
    assert set(StateChanges.__annotations__) == {f.name for f in fields(DialogState)}
    changes: dict[str, Any] = {"bogus": 1}
    with pytest.raises(TypeError, match="bogus"):
        evolve(_state(), **changes)


def test_an_evolved_state_stays_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        evolve(_state(), stage="new").stage = "x"  # type: ignore[misc]
