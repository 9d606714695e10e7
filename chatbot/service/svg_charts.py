"""Small inline SVG charts for the report page: bars, stacked bars per day, a split bar.

Our own few dozen lines instead of a charting library: the page stays one small file that
opens offline and runs no script, and these three shapes are all it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#2f6fde", "#e2574c", "#f2a93b", "#39a96b", "#8e6bd8", "#7a8794", "#1fb1c4")
TEXT = "#28323c"
MUTED = "#8a96a3"
GRID = "#e6eaee"


def _text(
    x: float,
    y: float,
    s: str,
    size: int = 12,
    anchor: str = "start",
    color: str = TEXT,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{color}" font-weight="{weight}">{escape(s)}</text>'
    )


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}" '
        f'font-family="inherit">{"".join(body)}</svg>'
    )


def hbars(
    rows: Sequence[tuple[str, float, str]],
    label: str,
    width: int = 640,
    color: str = PALETTE[0],
    marker: tuple[float, str] | None = None,
) -> str:
    """Horizontal bars: (name, value, the value as shown); `marker` draws a limit line."""
    row_h, left, right = 30, 170, 90
    height = max(1, len(rows)) * row_h + 12
    top = max([v for _, v, _ in rows] + [marker[0] if marker else 0] + [1e-9])
    scale = (width - left - right) / top
    body: list[str] = []
    for i, (name, value, shown) in enumerate(rows):
        y = 6 + i * row_h
        body.append(_text(left - 10, y + 19, name, anchor="end"))
        w = max(2.0, value * scale) if value > 0 else 0.0
        body.append(
            f'<rect x="{left}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" '
            f'rx="3" fill="{color}"/>'
        )
        body.append(_text(left + w + 8, y + 19, shown, weight="bold"))
    if marker is not None:
        x = left + marker[0] * scale
        body.append(
            f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{height - 4}" '
            f'stroke="{PALETTE[1]}" stroke-dasharray="4 3"/>'
        )
        body.append(_text(x + 4, 12, marker[1], size=11, color=PALETTE[1]))
    return _svg(width, height, body, label)


def stacked_days(
    days: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    label: str,
    width: int = 640,
    height: int = 220,
) -> str:
    """Columns per day, stacked by series (name, one count a day), with a legend below."""
    left, bottom, top_pad = 34, 40, 10
    legend_h = 22
    plot_h = height - bottom - top_pad - legend_h
    totals = [sum(s[1][i] for s in series) for i in range(len(days))]
    top = max([*totals, 1])
    step = (width - left - 10) / max(1, len(days))
    bar_w = max(3.0, min(36.0, step * 0.7))
    body: list[str] = []
    for tick in (0, top):
        y = top_pad + plot_h - plot_h * tick / top
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, str(tick), size=11, anchor="end", color=MUTED))
    every = max(1, round(len(days) / 10))  # at most about ten day labels
    for i, day in enumerate(days):
        x = left + i * step + (step - bar_w) / 2
        y = top_pad + plot_h
        for k, (_, counts) in enumerate(series):
            h = plot_h * counts[i] / top
            if h > 0:
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}"/>'
                )
        if i % every == 0:
            body.append(
                _text(
                    x + bar_w / 2, top_pad + plot_h + 16, day, size=11, anchor="middle", color=MUTED
                )
            )
    x = float(left)
    for k, (name, counts) in enumerate(series):
        y = height - 8
        body.append(
            f'<rect x="{x:.1f}" y="{y - 10}" width="10" height="10" rx="2" '
            f'fill="{PALETTE[k % len(PALETTE)]}"/>'
        )
        entry = f"{name} ({sum(counts)})"
        body.append(_text(x + 14, y, entry, size=11))
        x += 24 + 7 * len(entry)
    return _svg(width, height, body, label)


def split_bar(parts: Sequence[tuple[str, int, str]], label: str, width: int = 640) -> str:
    """One bar split into shares: (name, count, colour), names and counts below."""
    total = sum(n for _, n, _ in parts) or 1
    body: list[str] = []
    x = 0.0
    for _, n, color in parts:
        w = width * n / total
        if w > 0:
            body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" fill="{color}"/>')
            if w > 40:
                body.append(
                    _text(x + w / 2, 18, str(n), anchor="middle", color="#fff", weight="bold")
                )
        x += w
    x = 0.0
    for name, n, color in parts:
        body.append(f'<rect x="{x:.1f}" y="36" width="10" height="10" rx="2" fill="{color}"/>')
        entry = f"{name}: {n}"
        body.append(_text(x + 14, 46, entry, size=11))
        x += 28 + 7 * len(entry)
    return _svg(width, 54, body, label)
