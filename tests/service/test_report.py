"""The report's figures (§3.5) on conversations with known counts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from chatbot.core.trace import TraceEntry
from chatbot.db.database import Database
from chatbot.engine.decision import RulesFn
from chatbot.engine.flowset import FlowSet
from chatbot.service.report import build_report, period_days
from chatbot.service.script import load_script
from chatbot.service.simulator import simulate_into
from tests.conftest import ROOT

DAYS = ROOT / "tests" / "service" / "report_days"
MSK = ZoneInfo("Europe/Moscow")
# What the ten scripts in report_days/ leave, counted from the scripts themselves:
# 1 spam; 2 thanks after a shipping notice; 3 Ольга answers 12 (late) then 3 minutes;
# 4 unpaid WhatsApp order: two reminders as templates (how its first message goes depends on
# the shop's templates: the WhatsApp figures are counted from the trace), a payment_overdue
# task; 5 order paid after the first reminder, its question unanswered for 15 minutes;
# 6 rated 10, closed on thanks; 7 rated 5 (task); 8 two nudges, closed no_reply; 9 answers the
# first nudge and orders, paid; 10 Пётр answers in 4 minutes.
EXPECTED = {
    "period": {"from": "2026-03-01", "to": "2026-03-31"},
    "dialogs": {
        "new": 10,
        "spam": 1,
        "spam_share": 0.1,
        "closed": {
            "spam": 1,
            "thanks": 2,
            "no_reply": 1,
            "bot_blocked": 0,
            "refused": 0,
            "completed": 0,
            "manual": 0,
        },
    },
    # The simulated bot answers in the same virtual instant; managers' first answers 4 and 12.
    "first_response": {"bot_p50_s": 0.0, "manager_p50_min": 4.0, "manager_p90_min": 12.0},
    "managers": [
        {
            "id": "Ольга",
            "name": "Ольга",
            "dialogs": 1,
            "messages": 2,
            "response_avg_min": 7.5,
            "breaches": 1,
        },
        {
            "id": "Пётр",
            "name": "Пётр",
            "dialogs": 1,
            "messages": 1,
            "response_avg_min": 4.0,
            "breaches": 0,
        },
    ],
    # Script 5's question waited 15 minutes with no manager answer: nobody had taken it.
    "breaches": {"late_answers": 1, "unanswered_waits": 1},
    # qualified: left stage `new` (3, 5, 6, 7, 8, 9, 10); task: 3, 4, 5, 7, 9, 10.
    "funnel": {"new": 10, "qualified": 7, "task": 6, "order_created": 3, "paid": 2, "delivered": 2},
    "nudges": {"sent": 3, "replied": 1, "ordered": 1},
    "payments": {"orders": 3, "reminded": 2, "paid_after_reminder": 1, "overdue_tasks": 1},
    "nps": {"answers": 2, "average": 7.5, "promoters": 1, "detractors": 1, "score": 0},
    "whatsapp": {"templates": 2, "skipped": 1},  # with the shipped templates; see whatsapp()
    "llm": {"calls": 0, "share": 0.0, "fallbacks": 0},
}


async def simulate_days(db: Database, flows: FlowSet, rules: RulesFn) -> list[TraceEntry]:
    """The ten scripts of report_days/ as ten dialogs of `db`; their traces, one after another."""
    trace: list[TraceEntry] = []
    for n, path in enumerate(sorted(DAYS.glob("*.yaml"))):
        script = load_script(path)
        trace += await simulate_into(db, script, flows, rules, date(2026, 3, 1), f"day-{n}")
    return trace


def whatsapp(trace: list[TraceEntry]) -> dict[str, int]:
    """Templates sent and messages skipped, as the trace of the simulation shows them."""
    templates = sum(1 for e in trace if e.type == "reply" and e.fields["template"])
    return {"templates": templates, "skipped": sum(1 for e in trace if e.type == "skipped")}


async def test_every_figure_matches_the_known_conversations(
    db: Database, shipped: tuple[FlowSet, RulesFn]
) -> None:
    trace = await simulate_days(db, *shipped)
    report = await build_report(db, date(2026, 3, 1), date(2026, 3, 31), MSK)
    assert whatsapp(trace)["templates"] >= 2  # script 4's reminders at least
    assert report.figures == EXPECTED | {"whatsapp": whatsapp(trace)}
    look = [(item["why"], item["customer"]) for item in report.look]
    assert look == [("wait", "Дарья"), ("breach", "Вера"), ("spam", "Спамер")]
    reasons = [reason for _, reason in report.closes]
    assert reasons == ["spam", "thanks", "thanks", "no_reply"]


async def test_the_period_holds_only_dialogs_started_in_it(
    db: Database, shipped: tuple[FlowSet, RulesFn]
) -> None:
    await simulate_days(db, *shipped)
    # Monday 2 March: the spam, the thanks and Ольга's dialog; the spam share is one in three.
    report = await build_report(db, date(2026, 3, 2), date(2026, 3, 2), MSK)
    assert report.figures["dialogs"]["new"] == 3
    assert report.figures["dialogs"]["spam_share"] == 0.333
    assert [m["name"] for m in report.figures["managers"]] == ["Ольга"]
    assert report.figures["payments"]["orders"] == 0
    empty = await build_report(db, date(2026, 2, 1), date(2026, 2, 28), MSK)
    assert empty.figures["dialogs"]["new"] == 0
    assert empty.figures["first_response"]["manager_p50_min"] is None
    assert empty.figures["nps"]["average"] is None


def test_the_default_period_is_the_last_seven_days() -> None:
    assert period_days(None, None, date(2026, 3, 8)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert period_days(date(2026, 3, 1), None, date(2026, 3, 8)) == (
        date(2026, 3, 1),
        date(2026, 3, 8),
    )
    assert period_days(None, date(2026, 3, 31), date(2026, 5, 1)) == (
        date(2026, 3, 25),
        date(2026, 3, 31),
    )
