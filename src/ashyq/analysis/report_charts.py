"""The analysis pages' charts, drawn on the server as inline SVG (no script, no style attribute: CSP).

Category names are long (in Russian and Kazakh especially), so bars are horizontal with the name above
each bar; a share's 95 % interval is drawn as a whisker across the bar's end. Every chart sits beside a
table with the same figures, which is what screen readers read.
"""
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

WIDTH = 640
ROW = 34
INK, MUTED, GRID, BAR = "#1b1f24", "#4a5561", "#d0d7de", "#00538a"
# Colours for lines (each at least 3:1 against white) and a dash pattern each, so series differ without colour too.
PALETTE = ["#00538a", "#a4161a", "#2b7a0b", "#7a3e9d", "#9a5b00", "#0b6e6e", "#c2185b", "#4a5561", "#1b1f24", "#5c4b00"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3", "", "6 3"]


def _svg(height: int, title_id: str, parts: list[str]) -> str:
    return format_html('<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}</svg>',
                       WIDTH, height, escape(title_id), mark_safe("".join(parts)))


def _number(value) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def bars(rows, *, title_id: str, percent: bool = False) -> str:
    """rows: [(label, value, low, high)]; low/high (an interval) may be None. percent: values are 0-1."""
    rows = list(rows)
    top = max([r[1] or 0 for r in rows] + [r[3] or 0 for r in rows] + [1e-9])
    if percent:
        top = min(1.0, top)
    left, right = 4, WIDTH - 70
    span = right - left
    parts = []
    for i, (label, value, low, high) in enumerate(rows):
        y = 4 + i * ROW
        w = span * (value or 0) / top
        shown = "—" if value is None else (f"{100 * value:.1f} %" if percent else _number(value))
        parts.append(format_html('<text x="{}" y="{}" font-size="12" fill="{}">{}</text>', left, y + 11, INK, label))
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="12" fill="{}"/>', left, y + 15, round(w, 1), BAR))
        if low is not None and high is not None:
            x1, x2 = left + span * low / top, left + span * min(high, top) / top
            parts.append(format_html(
                '<line x1="{a}" y1="{m}" x2="{b}" y2="{m}" stroke="{c}" stroke-width="1.5"/>'
                '<line x1="{a}" y1="{t}" x2="{a}" y2="{u}" stroke="{c}" stroke-width="1.5"/>'
                '<line x1="{b}" y1="{t}" x2="{b}" y2="{u}" stroke="{c}" stroke-width="1.5"/>',
                a=round(x1, 1), b=round(x2, 1), m=y + 21, t=y + 15, u=y + 27, c=INK))
        parts.append(format_html('<text x="{}" y="{}" font-size="12" fill="{}">{}</text>', right + 6, y + 25, INK, shown))
    return _svg(max(ROW * len(rows) + 8, 20), title_id, parts)


def lines(months: list[str], series, *, title_id: str) -> str:
    """Counts per month, one line per series: [(name, [count per month])], with a legend under the plot."""
    series = list(series)
    left, top_pad, plot_h, plot_w = 44, 10, 180, WIDTH - 44 - 12
    legend_rows = (len(series) + 1) // 2
    height = top_pad + plot_h + 26 + legend_rows * 18 + 6
    top = max([v for _, values in series for v in values] + [1])
    n = max(len(months), 1)

    def x(i):
        return left + plot_w * (i + 0.5) / n

    def y(v):
        return top_pad + plot_h * (1 - v / top)

    parts = []
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="{}">{}</text>',
            left, round(y(value), 1), WIDTH - 12, round(y(value), 1), GRID, left - 4, round(y(value) + 4, 1), MUTED, f"{value:.0f}"))
    step = max(1, -(-n // 7))
    for i, label in enumerate(months):
        # Every step-th month, and the last one when it does not crowd the one before.
        if i % step == 0 or (i == n - 1 and i % step >= step / 2):
            parts.append(format_html('<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                                     round(x(i), 1), top_pad + plot_h + 16, MUTED, label))
    for k, (name, values) in enumerate(series):
        colour, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
        dash_attr = mark_safe(f' stroke-dasharray="{dash}"') if dash else ""
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        if len(values) == 1:
            parts.append(format_html('<circle cx="{}" cy="{}" r="3" fill="{}"/>', round(x(0), 1), round(y(values[0]), 1), colour))
        else:
            parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>', points, colour, dash_attr))
        lx = left + (k % 2) * (plot_w // 2)
        ly = top_pad + plot_h + 34 + (k // 2) * 18
        parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}/>'
                                 '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                                 lx, ly - 4, lx + 22, ly - 4, colour, dash_attr, lx + 28, ly, INK, name))
    return _svg(height, title_id, parts)
