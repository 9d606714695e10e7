"""Replies marked `personalise`: the engine only marks them, with the limits of the flows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from chatbot.admin_files.flow_walk import uses_personalise
from chatbot.admin_files.loader import check_flows, load_flows
from chatbot.core.effects import Personalise, Reply
from chatbot.core.state import DialogState
from chatbot.engine.flowset import FlowSet
from chatbot.engine.spec_actions import ReplyAction, ReplySpec
from tests.conftest import edit_file
from tests.engine.conftest import MSK
from tests.engine.driver import Driver, said

FLOW = """
shop: {personalise: {max_chars: 200, recent_messages: 4}}
stages:
  new:
    on:
      - when: {intent: thinking}
        do:
          - reply: {text: ack, personalise: true, max_chars: 120}
          - reply: {text: ack, personalise: true}
          - reply: {text: ack}
          - reply: ack
"""


def nudges(dialog: Driver) -> list[Reply]:
    return [e for _, e in dialog.log if isinstance(e, Reply) and e.key.startswith("nudge_")]


def test_the_shipped_nudges_may_be_personalised(dialog: Driver) -> None:
    [ack] = [e for e in dialog.send(said("thinking")) if isinstance(e, Reply)]
    assert (ack.key, ack.personalise) == ("thinking_ack", None)
    dialog.wait(timedelta(days=2))
    first, second = nudges(dialog)
    assert first.personalise == Personalise("ru", 300, 10)
    assert second.personalise == Personalise("ru", 300, 10)
    assert first.text.startswith("Здравствуйте!")  # the template stays the text of the effect


def test_the_dialogs_language_goes_with_the_mark(flows: FlowSet) -> None:
    dialog = Driver(flows, datetime(2026, 3, 2, 11, 0, tzinfo=MSK), DialogState(lang="en"))
    dialog.send(said("thinking"))
    dialog.wait(timedelta(hours=24))
    [nudge] = nudges(dialog)
    assert nudge.personalise is not None
    assert nudge.personalise.lang == "en"
    assert nudge.text.startswith("Hello!")


def test_a_whatsapp_template_is_never_rewritten(dialog: Driver) -> None:
    dialog.state = DialogState(channel="whatsapp")
    dialog.send(said("thinking"))
    dialog.wait(timedelta(hours=48))
    first, second = nudges(dialog)
    # 24 hours after the customer's message less than the window's margin is left: templates
    assert first.template is not None
    assert second.template is not None
    assert (first.template.name, first.personalise) == ("follow_up_question", None)
    assert (second.template.name, second.personalise) == ("follow_up_waiting", None)


def test_limits_per_reply_and_per_shop(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    for lang in ("ru", "en"):
        (tmp_path / "texts" / f"{lang}.yaml").write_text("ack: ok\n", encoding="utf-8")
    (tmp_path / "flow.yaml").write_text(FLOW, encoding="utf-8")
    flows = load_flows(tmp_path)
    assert uses_personalise(flows)
    dialog = Driver(flows, datetime(2026, 3, 2, 11, 0, tzinfo=MSK))
    marks = [e.personalise for e in dialog.send(said("thinking")) if isinstance(e, Reply)]
    assert marks == [Personalise("ru", 120, 4), Personalise("ru", 200, 4), None, None]


def test_both_forms_of_reply_read_the_same() -> None:
    assert ReplyAction.model_validate({"reply": "ack"}).spec == ReplySpec(text="ack")
    spec = ReplyAction.model_validate({"reply": {"text": "ack", "personalise": True}}).spec
    assert spec == ReplySpec(text="ack", personalise=True)


def test_flows_without_a_mark_do_not_use_it(flows: FlowSet) -> None:
    assert uses_personalise(flows)
    marked = ("nudge_1", "nudge_2", "come_back")
    timers = {k: v for k, v in flows.timers.items() if k not in marked}
    assert not uses_personalise(replace(flows, timers=timers))


def test_a_misspelt_option_is_one_error_on_its_line(copy: Path) -> None:
    line = edit_file(
        copy / "dialog.yaml",
        "{text: nudge_1, personalise: true}",
        "{text: nudge_1, personalize: true}",
    )
    problems = check_flows(copy).errors
    assert [(Path(p.file).name, p.line) for p in problems] == [("dialog.yaml", line)]
    assert "unknown key 'personalize'" in problems[0].message


def test_a_limit_out_of_range_is_an_error(copy: Path) -> None:
    line = edit_file(
        copy / "dialog.yaml",
        "{text: nudge_2, personalise: true}",
        "{text: nudge_2, personalise: true, max_chars: 5}",
    )
    [problem] = check_flows(copy).errors
    assert problem.line == line
    assert "max_chars" in problem.message
    assert "greater than or equal to 20" in problem.message


def test_a_limit_shorter_than_the_text_and_a_limit_without_the_option_warn(copy: Path) -> None:
    nudge = edit_file(
        copy / "dialog.yaml",
        "{text: nudge_2, personalise: true}",
        "{text: nudge_2, personalise: true, max_chars: 40}",
    )
    ack = edit_file(
        copy / "dialog.yaml",
        "      - reply: thinking_ack",
        "      - reply: {text: thinking_ack, max_chars: 100}",
    )
    result = check_flows(copy)
    assert result.errors == ()
    found = sorted((p.line, p.message) for p in result.warnings)
    assert (ack, "max_chars has no effect without personalise: true") in found
    long = [m for line, m in found if line == nudge]
    assert len(long) == 2  # the ru and the en text
    assert all("longer than the 40 an LLM rewrite may have" in m for m in long)


def test_an_unknown_text_key_in_the_long_form(copy: Path) -> None:
    line = edit_file(
        copy / "dialog.yaml",
        "{text: nudge_2, personalise: true}",
        "{text: nudge_3, personalise: true}",
    )
    [problem] = check_flows(copy).errors
    assert (problem.line, problem.message) == (line, "undefined text key 'nudge_3'")
