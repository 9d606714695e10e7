"""Output-mode detection: only ever down the list, never away from a settled mode."""

from __future__ import annotations

from chatbot.llm.output_modes import OutputModes


def test_detection_moves_down_and_stops_at_text() -> None:
    modes = OutputModes()
    assert modes.current == "json_schema"
    assert modes.step_down("json_schema", "rejected")
    assert modes.current == "json_object"
    assert modes.step_down("json_object", "rejected")
    assert modes.current == "text"
    assert not modes.step_down("text", "rejected")


def test_a_stale_step_down_does_not_skip_a_mode() -> None:
    modes = OutputModes()
    modes.step_down("json_schema", "rejected")
    assert modes.step_down("json_schema", "rejected")  # a concurrent call saw the same 400
    assert modes.current == "json_object"


def test_a_confirmed_or_forced_mode_is_kept() -> None:
    modes = OutputModes()
    modes.confirm("json_schema")
    assert modes.settled
    assert not modes.step_down("json_schema", "ignored")
    forced = OutputModes("json_object")
    assert forced.settled
    assert not forced.step_down("json_object", "rejected")
    assert forced.current == "json_object"


def test_text_is_never_confirmed() -> None:
    modes = OutputModes("text")
    assert modes.current == "text"
    plain = OutputModes()
    plain.confirm("json_object")  # not the current mode: ignored
    assert not plain.settled
