"""Dialog state survives its JSON round trip unchanged."""

from datetime import UTC, datetime

from chatbot.core.state import DialogState, TimerState


def test_json_round_trip_keeps_everything() -> None:
    due = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    state = DialogState(
        channel="telegram",
        stage="thinking",
        closed=True,
        close_reason="spam",
        closed_at=due,
        flags=frozenset({"spammer"}),
        vars={"amount": "2500"},
        timers={"nudge_1": TimerState(token=3, due=due, keep_after_close=True)},
        once=frozenset({"discount"}),
        inbound_count=2,
        last_inbound_at=due,
        seq=3,
    )
    assert DialogState.from_json(state.to_json()) == state
