"""Broken copies of the shipped flows give precise file:line errors with a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.admin_files.loader import check_flows, load_flows
from chatbot.errors import FlowError
from tests.admin_files.conftest import FLOWS
from tests.conftest import edit_file


def _messages(folder: Path) -> list[str]:
    return [str(p) for p in check_flows(folder).errors]


def test_shipped_flows_are_valid() -> None:
    result = check_flows(FLOWS)
    assert result.errors == ()
    assert result.flows is not None


def test_unknown_stage_names_file_line_and_stage(copy: Path) -> None:
    line = edit_file(copy / "dialog.yaml", "          - goto: details", "          - goto: detials")
    messages = _messages(copy)
    assert any(
        m.startswith(f"{copy / 'dialog.yaml'}:{line}: error: unknown stage 'detials'")
        and "stage=menu" in m
        and "fix:" in m
        for m in messages
    ), messages


def test_undefined_text_key(copy: Path) -> None:
    line = edit_file(copy / "dialog.yaml", "reply: ask_order_number", "reply: ask_order_nr")
    messages = _messages(copy)
    assert any(
        f"dialog.yaml:{line}:" in m and "undefined text key 'ask_order_nr'" in m for m in messages
    ), messages


def test_bad_duration(copy: Path) -> None:
    line = edit_file(copy / "dialog.yaml", "after: 10h", "after: 10 hours")
    messages = _messages(copy)
    assert any(f"dialog.yaml:{line}:" in m and "bad duration" in m for m in messages), messages


def test_missing_translation(copy: Path) -> None:
    line = edit_file(
        copy / "texts" / "en.yaml", 'missed_call: "We missed', 'missed_cal: "We missed'
    )
    messages = _messages(copy)
    assert any("missing translation: 'missed_call' has no en text" in m for m in messages)
    assert any(f"en.yaml:{line}:" in m and "'missed_cal' has no ru text" in m for m in messages)


def test_timer_that_can_never_fire(copy: Path) -> None:
    edit_file(copy / "dialog.yaml", "      - start: need_time_follow_up\n", "")
    messages = _messages(copy)
    assert any("timer 'need_time_follow_up' can never fire" in m for m in messages), messages


def test_unreachable_stage_is_a_warning(copy: Path) -> None:
    with (copy / "dialog.yaml").open("a", encoding="utf-8") as f:
        f.write("\n")
    text = (copy / "dialog.yaml").read_text(encoding="utf-8")
    text = text.replace("stages:\n  new:", "stages:\n  orphan:\n    description: nobody\n  new:")
    (copy / "dialog.yaml").write_text(text, encoding="utf-8")
    result = check_flows(copy)
    assert result.errors == ()
    assert any("stage 'orphan' is unreachable" in str(w) for w in result.warnings)


def test_yaml_syntax_error_has_line(copy: Path) -> None:
    line = edit_file(copy / "orders.yaml", "  order_paid:\n", "  order_paid: [\n")
    messages = _messages(copy)
    assert any("orders.yaml:" in m and "YAML syntax" in m for m in messages), messages
    assert line > 1


def test_unknown_key_and_one_key_per_action(copy: Path) -> None:
    line = edit_file(
        copy / "dialog.yaml",
        "      - reply: refuse_ack\n",
        "      - reply: refuse_ack\n        goto: new\n",
    )
    messages = _messages(copy)
    assert any(f"dialog.yaml:{line}:" in m and "exactly one of" in m for m in messages), messages


def test_load_flows_raises_with_every_error(copy: Path) -> None:
    edit_file(copy / "dialog.yaml", "goto: thinking", "goto: thinkin")
    edit_file(copy / "dialog.yaml", "reply: refuse_ack", "reply: refuse_akc")
    with pytest.raises(FlowError) as caught:
        load_flows(copy)
    assert len(caught.value.problems) >= 2
