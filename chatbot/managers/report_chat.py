"""/report in the managers' chat and the weekly digest: headline figures and the page (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chatbot.managers.spam_review import read_days
from chatbot.service.report_words import words

DIGEST_DAYS = 7


def report_days(argument: str, today: date) -> tuple[date, date] | None:
    """The days /report covers: today, `week` (7 days), `month` (30), or N days; else None."""
    days = read_days(argument)
    if days is None:
        return None
    return today - timedelta(days=days - 1), today


def last_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the week before `today`'s (the Monday digest's period)."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=DIGEST_DAYS), monday - timedelta(days=1)


def headline_text(figures: dict[str, Any], shop: str, lang: str) -> str:
    """The figures an owner reads first, as Telegram HTML."""
    w = words(lang)
    d, fr, f = figures["dialogs"], figures["first_response"], figures["funnel"]
    nps, b, n = figures["nps"], figures["breaches"], figures["nudges"]
    period = figures["period"]
    first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    span = f"{first:%d.%m}" if first == last else f"{first:%d.%m} – {last:%d.%m}"
    minutes = "—" if fr["manager_p50_min"] is None else f"{fr['manager_p50_min']} {w['min']}"
    lines = [
        f"<b>{_html(shop)} · {w['title']} · {span}</b>",
        f"{w['new']}: {d['new']} · {w['spam']}: {d['spam']} ({round(d['spam_share'] * 100)}%)",
        f"{w['manager_first']}: {minutes} · {w['breaches']}: "
        f"{b['late_answers'] + b['unanswered_waits']}",
        f"{w['funnel_order_created']}: {f['order_created']} · {w['funnel_paid']}: {f['paid']}",
        f"{w['nudges_sent']}: {n['sent']} · {w['nudges_ordered']}: {n['ordered']}",
    ]
    if nps["answers"]:
        lines.append(
            f"NPS {nps['score']} · {w['average']}: {nps['average']} "
            f"({w['answers']}: {nps['answers']})"
        )
    return "\n".join(lines)


def page_name(first: date, last: date) -> str:
    """The attached page's file name."""
    return f"report-{first.isoformat()}-{last.isoformat()}.html"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
