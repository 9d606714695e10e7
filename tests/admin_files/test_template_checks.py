"""`chatbot validate` on WhatsApp templates: proactive texts covered, parameters from the text."""

from __future__ import annotations

from pathlib import Path

from chatbot.admin_files.loader import check_flows
from chatbot.admin_files.template_checks import proactive_texts
from tests.admin_files.conftest import FLOWS
from tests.conftest import edit_file

# What the shop sends on its own, as DESIGN §3.4 lists it.
PROACTIVE = {
    "order_created",
    "order_created_link",
    "order_created_paid",
    "pay_reminder",
    "pay_reminder_link",
    "payment_received",
    "order_ready_unpaid",
    "order_ready_paid",
    "ready_reminder",
    "pickup_reminder",
    "order_shipped",
    "order_cancelled",
    "ask_rating",
    "missed_call",
    "offer_question",
    "nudge_1",
    "nudge_2",
    "come_back_follow_up",
    "reactivation",
    "need_time_follow_up",
}


def test_the_shipped_proactive_texts_are_found_through_timers_events_and_stages() -> None:
    result = check_flows(FLOWS)
    assert result.flows is not None
    assert set(proactive_texts(result.flows)) == PROACTIVE


def test_every_shipped_proactive_text_has_a_template_or_is_skippable() -> None:
    result = check_flows(FLOWS)
    assert result.flows is not None
    whatsapp = result.flows.shop.whatsapp
    assert set(whatsapp.templates) | set(whatsapp.skippable) >= PROACTIVE
    assert [str(p) for p in result.warnings if "template" in p.message] == []


def test_a_proactive_text_without_template_is_named_with_its_line(copy: Path) -> None:
    edit_file(copy / "shop.yaml", "      missed_call:        {name: missed_call}\n", "")
    line = 1 + (copy / "orders.yaml").read_text(encoding="utf-8").splitlines().index(
        "        - reply: missed_call"
    )
    result = check_flows(copy)
    assert result.errors == ()
    warnings = [str(p) for p in result.warnings]
    assert any(
        w.startswith(
            f"{copy / 'orders.yaml'}:{line}: warning: the proactive text 'missed_call' "
            "has no WhatsApp template"
        )
        and "shop.whatsapp.skippable" in w
        for w in warnings
    ), warnings


def test_a_parameter_the_text_does_not_have_is_an_error(copy: Path) -> None:
    line = edit_file(copy / "shop.yaml", "body: [order_id, amount]}", "body: [order_id, amonut]}")
    errors = [str(p) for p in check_flows(copy).errors]
    assert any(
        e.startswith(
            f"{copy / 'shop.yaml'}:{line}: error: template 'order_created' of "
            "'order_created' uses {amonut}, which the en text does not have"
        )
        and "amount" in e
        for e in errors
    ), errors


def test_a_bad_template_name(copy: Path) -> None:
    edit_file(copy / "shop.yaml", "{name: missed_call}", "{name: Missed-Call}")
    errors = " ".join(str(p) for p in check_flows(copy).errors)
    assert "bad template name 'Missed-Call'" in errors


def test_a_margin_longer_than_the_window(copy: Path) -> None:
    edit_file(copy / "shop.yaml", "margin: 30m", "margin: 25h")
    errors = " ".join(str(p) for p in check_flows(copy).errors)
    assert "margin must be shorter than window" in errors


def test_a_skippable_key_must_be_a_text(copy: Path) -> None:
    line = edit_file(
        copy / "shop.yaml", "skippable: [need_time_follow_up]", "skippable: [need_time_folow_up]"
    )
    errors = [str(p) for p in check_flows(copy).errors]
    assert any(f"shop.yaml:{line}:" in e and "need_time_folow_up" in e for e in errors), errors
