"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from html import escape
from typing import Any

from chatbot.db.audit import CLOSE_REASONS
from chatbot.service.report import Report
from chatbot.service.report_words import words
from chatbot.service.svg_charts import PALETTE, hbars, split_bar, stacked_days

_CSS = """
body{margin:0;background:#f4f6f8;color:#28323c;font:15px/1.45 -apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif}
main{max-width:980px;margin:0 auto;padding:32px 24px 48px}
header{display:flex;justify-content:space-between;align-items:flex-end;
border-bottom:3px solid #2f6fde;padding-bottom:14px;margin-bottom:24px}
h1{font-size:26px;margin:0}.shop{color:#2f6fde;font-weight:600;margin-bottom:4px}
.meta{color:#8a96a3;font-size:13px;text-align:right}
h2{font-size:18px;margin:0 0 14px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin-bottom:22px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px #0001}
.card .v{font-size:28px;font-weight:700;line-height:1.2}.card .k{color:#5c6873;font-size:13px}
.card .s{color:#8a96a3;font-size:12px}
section{background:#fff;border-radius:10px;padding:20px 22px;margin-bottom:18px;
box-shadow:0 1px 3px #0001;break-inside:avoid}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}.two section{margin:0}
table{width:100%;border-collapse:collapse;font-size:13px}
th{text-align:left;color:#5c6873;font-weight:600;border-bottom:1px solid #e6eaee;padding:6px}
td{border-bottom:1px solid #f0f2f4;padding:6px}td.n,th.n{text-align:right}
.tag{display:inline-block;border-radius:9px;padding:1px 8px;font-size:12px;color:#fff}
.note{color:#8a96a3;font-size:13px;margin-top:8px}
dl{display:grid;grid-template-columns:auto auto;gap:4px 16px;margin:0}dt{color:#5c6873}
dd{margin:0;font-weight:600;text-align:right}
@media print{body{background:#fff}section,.card{box-shadow:none;border:1px solid #e6eaee}}
"""
_WHY_COLOR = {"spam": PALETTE[5], "review": PALETTE[4], "breach": PALETTE[1], "wait": PALETTE[2]}
LOOK_SHOWN = 50


def render_html(report: Report, shop: str, lang: str, tz: tzinfo, now: datetime) -> str:
    """The whole page for the report of `shop`, in `lang`."""
    w = words(lang)
    f = report.figures
    period = f"{_day(report.first, lang)} – {_day(report.last, lang)}"
    parts = [
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{escape(shop)} · {escape(w['title'])} · {escape(period)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f'<header><div><div class="shop">{escape(shop)}</div><h1>{escape(w["title"])}</h1>'
        f"<div>{escape(w['period'])}: {escape(period)}</div></div>"
        f'<div class="meta">{escape(w["made"])}<br>{now.astimezone(tz):%d.%m.%Y %H:%M}</div>'
        "</header>",
        _cards(f, w),
        _section(w["funnel"], _funnel(f["funnel"], w)),
        _section(w["managers"], _managers(f, w)),
        _section(w["closes"], _closes(report, tz, w)),
        '<div class="two">',
        _section(w["followups"], _followups(f, w)),
        _section(w["ratings"], _ratings(f["nps"], w)),
        "</div><div style='height:18px'></div>",
        _section(w["look"], _look(report.look, tz, w)),
        f'<p class="note">{escape(w["templates"])}: {f["whatsapp"]["templates"]} · '
        f"{escape(w['skipped'])}: {f['whatsapp']['skipped']} · "
        f"{escape(w['llm_calls'])}: {f['llm']['calls']} · "
        f"{escape(w['llm_fallbacks'])}: {f['llm']['fallbacks']}</p>",
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _section(title: str, body: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{body}</section>"


def _card(value: str, key: str, sub: str = "") -> str:
    sub_html = f'<div class="s">{escape(sub)}</div>' if sub else ""
    return (
        f'<div class="card"><div class="v">{escape(value)}</div>'
        f'<div class="k">{escape(key)}</div>{sub_html}</div>'
    )


def _cards(f: dict[str, Any], w: dict[str, str]) -> str:
    d, fr, nps = f["dialogs"], f["first_response"], f["nps"]
    breaches = f["breaches"]["late_answers"] + f["breaches"]["unanswered_waits"]
    manager = (
        f"{_num(fr['manager_p50_min'])} {w['min']}" if fr["manager_p50_min"] is not None else "—"
    )
    cards = [
        _card(str(d["new"]), w["new"]),
        _card(f"{round(d['spam_share'] * 100)}%", w["spam"], f"{d['spam']}"),
        _card(
            f"{_num(fr['bot_p50_s'])} {w['s']}" if fr["bot_p50_s"] is not None else "—",
            w["bot_first"],
        ),
        _card(
            manager,
            w["manager_first"],
            f"90%: {_num(fr['manager_p90_min'])} {w['min']}"
            if fr["manager_p90_min"] is not None
            else "",
        ),
        _card(str(f["funnel"]["paid"]), w["paid"], f"{w['orders']}: {f['payments']['orders']}"),
        _card(
            str(nps["score"]) if nps["score"] is not None else "—",
            w["nps"],
            f"{w['average']}: {_num(nps['average'])}" if nps["average"] is not None else "",
        ),
        _card(str(breaches), w["breaches"]),
        _card(
            str(f["nudges"]["ordered"]),
            w["nudges_ordered"],
            f"{w['nudges_sent']}: {f['nudges']['sent']}",
        ),
    ]
    return f'<div class="cards">{"".join(cards)}</div>'


def _funnel(funnel: dict[str, int], w: dict[str, str]) -> str:
    new = funnel["new"] or 1
    rows = [
        (w[f"funnel_{k}"], float(v), f"{v} · {round(100 * v / new)}%") for k, v in funnel.items()
    ]
    return hbars(rows, w["funnel"])


def _managers(f: dict[str, Any], w: dict[str, str]) -> str:
    ms = f["managers"]
    if not ms:
        return f'<p class="note">{escape(w["none"])}</p>'
    rows = [
        (m["name"], float(m["response_avg_min"] or 0), f"{_num(m['response_avg_min'])} {w['min']}")
        for m in ms
    ]
    chart = hbars(rows, w["managers"], color=PALETTE[3])
    head = f"<th>{escape(w['manager'])}</th>" + "".join(
        f'<th class="n">{escape(w[k])}</th>' for k in ("dialogs", "messages", "avg_min", "breaches")
    )
    body = "".join(
        f"<tr><td>{escape(m['name'])}</td><td class=n>{m['dialogs']}</td>"
        f"<td class=n>{m['messages']}</td><td class=n>{_num(m['response_avg_min'])}</td>"
        f"<td class=n>{m['breaches']}</td></tr>"
        for m in ms
    )
    b = f["breaches"]
    note = (
        f'<p class="note">{escape(w["sla"])}: {b["late_answers"]} '
        f"{escape(w['late_answers'])}, {b['unanswered_waits']} "
        f"{escape(w['unanswered_waits'])}</p>"
    )
    return f"{chart}<table><tr>{head}</tr>{body}</table>{note}"


def _closes(report: Report, tz: tzinfo, w: dict[str, str]) -> str:
    if not report.closes:
        return f'<p class="note">{escape(w["no_closes"])}</p>'
    days = [report.first + timedelta(days=i) for i in range((report.last - report.first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    reasons = [r for r in CLOSE_REASONS if any(x == r for _, x in report.closes)]
    reasons += sorted({x for _, x in report.closes} - set(reasons))
    series = {r: [0] * len(days) for r in reasons}
    for at, reason in report.closes:
        i = index.get(at.astimezone(tz).date())
        if i is not None:  # a dialog of the period may close after it
            series[reason][i] += 1
    named = [(w.get(f"close_{r}", r), series[r]) for r in reasons]
    return stacked_days([f"{d:%d.%m}" for d in days], named, w["closes"])


def _followups(f: dict[str, Any], w: dict[str, str]) -> str:
    n, p = f["nudges"], f["payments"]
    rows = [
        (w["nudges_sent"], n["sent"]),
        (w["nudges_replied"], n["replied"]),
        (w["nudges_ordered"], n["ordered"]),
        (w["orders"], p["orders"]),
        (w["reminded"], p["reminded"]),
        (w["paid_after_reminder"], p["paid_after_reminder"]),
        (w["overdue_tasks"], p["overdue_tasks"]),
    ]
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _ratings(nps: dict[str, Any], w: dict[str, str]) -> str:
    if not nps["answers"]:
        return f'<p class="note">{escape(w["none"])}</p>'
    passives = nps["answers"] - nps["promoters"] - nps["detractors"]
    bar = split_bar(
        [
            (w["promoters"], nps["promoters"], PALETTE[3]),
            (w["passives"], passives, PALETTE[5]),
            (w["detractors"], nps["detractors"], PALETTE[1]),
        ],
        w["ratings"],
        width=420,
    )
    return (
        f'<div class="card" style="box-shadow:none;padding:0 0 10px"><div class="v">'
        f'NPS {nps["score"]}</div><div class="k">{escape(w["answers"])}: {nps["answers"]}'
        f" · {escape(w['average'])}: {_num(nps['average'])}</div></div>{bar}"
    )


def _look(items: list[dict[str, Any]], tz: tzinfo, w: dict[str, str]) -> str:
    if not items:
        return f'<p class="note">{escape(w["nothing"])}</p>'
    head = "".join(
        f"<th>{escape(w[k])}</th>" for k in ("when", "why", "customer", "channel", "detail")
    )
    rows = []
    for item in items[:LOOK_SHOWN]:
        color = _WHY_COLOR.get(item["why"], PALETTE[0])
        who = " ".join(x for x in (item["customer"], item["phone"]) if x) or f"#{item['dialog_id']}"
        rows.append(
            f"<tr><td>{item['at'].astimezone(tz):%d.%m %H:%M}</td>"
            f'<td><span class="tag" style="background:{color}">'
            f"{escape(w.get('why_' + item['why'], item['why']))}</span></td>"
            f"<td>{escape(who)}</td><td>{escape(item['channel'])}</td>"
            f"<td>{escape(item['detail'][:80])}</td></tr>"
        )
    more = len(items) - LOOK_SHOWN
    note = f'<p class="note">+{more}</p>' if more > 0 else ""
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{note}"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _day(d: date, lang: str) -> str:
    return f"{d:%d.%m.%Y}" if lang == "ru" else d.isoformat()
