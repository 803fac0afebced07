"""Charts drawn on the server as inline SVG: no script, readable on slow connections; every chart on a page
has a data table beside it for screen readers and a CSV/JSON download. Only SVG attributes, no style (CSP)."""

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 40, 28, 12


def _gridline(at_y: float, label: str):
    """A horizontal grid line across the plot at `at_y`, with its value labelled left of the axis."""
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a5561">{}</text>',
        LEFT,
        round(at_y, 1),
        WIDTH - 10,
        round(at_y, 1),
        LEFT - 4,
        round(at_y + 4, 1),
        label,
    )


def line_chart(points, series, *, title_id: str, y_max: float, y_label_step: float) -> str:
    """points: list of x labels; series: [(name, colour, values, dash)], values None are gaps."""
    n = max(len(points), 1)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP

    def x(i):
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v):
        return TOP + plot_h * (1 - min(v, y_max) / y_max)

    parts = []
    v = 0.0
    while v <= y_max + 1e-9:
        parts.append(_gridline(y(v), f"{v:g}"))
        v += y_label_step
    step = max(1, n // 6)
    for i, label in enumerate(points):
        if i % step == 0 or i == n - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a5561">{}</text>',
                    round(x(i), 1),
                    HEIGHT - 8,
                    label,
                )
            )
    for _name, colour, values, dash in series:
        segment = []
        segments = []
        for i, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(i):.1f},{y(value):.1f}")
                parts.append(format_html('<circle cx="{}" cy="{}" r="3" fill="{}"/>', round(x(i), 1), round(y(value), 1), colour))
        if segment:
            segments.append(segment)
        for seg in segments:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
                    " ".join(seg),
                    colour,
                    mark_safe(' stroke-dasharray="6 4"') if dash else "",
                )
            )
    legend = format_html_join(
        "",
        '<rect x="{}" y="2" width="12" height="4" fill="{}"/><text x="{}" y="9" font-size="11" fill="#1b1f24">{}</text>',
        ((LEFT + 160 * i, colour, LEFT + 160 * i + 16, name) for i, (name, colour, _, _) in enumerate(series)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}{}</svg>',
        WIDTH,
        HEIGHT,
        escape(title_id),
        mark_safe("".join(parts)),
        legend,
    )


def bar_chart(labels, values, *, title_id: str, colour: str = "#00538a") -> str:
    n = max(len(labels), 1)
    top = max([v for v in values if v] + [1])
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    bar = plot_w / n * 0.7
    parts = [
        format_html('<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a5561">{}</text>', LEFT - 4, TOP + 4, top),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#6e7781"/>', LEFT, TOP + plot_h, WIDTH - 10, TOP + plot_h),
    ]
    step = max(1, n // 6)
    for i, (label, value) in enumerate(zip(labels, values)):
        h = plot_h * (value or 0) / top
        cx = LEFT + plot_w * (i + 0.5) / n
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                round(cx - bar / 2, 1),
                round(TOP + plot_h - h, 1),
                round(bar, 1),
                round(h, 1),
                colour,
            )
        )
        if i % step == 0 or i == n - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a5561">{}</text>',
                    round(cx, 1),
                    HEIGHT - 8,
                    label,
                )
            )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}</svg>',
        WIDTH,
        HEIGHT,
        escape(title_id),
        mark_safe("".join(parts)),
    )


# Horizontal bars with intervals, lines with a legend and a treemap: the analysis and budget pages.
ROW = 34
INK, MUTED, GRID, BAR = "#1b1f24", "#4a5561", "#d0d7de", "#00538a"
# Colours for lines (each at least 3:1 against white) and a dash pattern each, so series differ without colour too.
PALETTE = ["#00538a", "#a4161a", "#2b7a0b", "#7a3e9d", "#9a5b00", "#0b6e6e", "#c2185b", "#4a5561", "#1b1f24", "#5c4b00"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3", "", "6 3"]


def _svg(height: int, title_id: str, parts: list[str]) -> str:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}</svg>',
        WIDTH,
        height,
        escape(title_id),
        mark_safe("".join(parts)),
    )


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
            parts.append(
                format_html(
                    '<line x1="{a}" y1="{m}" x2="{b}" y2="{m}" stroke="{c}" stroke-width="1.5"/>'
                    '<line x1="{a}" y1="{t}" x2="{a}" y2="{u}" stroke="{c}" stroke-width="1.5"/>'
                    '<line x1="{b}" y1="{t}" x2="{b}" y2="{u}" stroke="{c}" stroke-width="1.5"/>',
                    a=round(x1, 1),
                    b=round(x2, 1),
                    m=y + 21,
                    t=y + 15,
                    u=y + 27,
                    c=INK,
                )
            )
        parts.append(format_html('<text x="{}" y="{}" font-size="12" fill="{}">{}</text>', right + 6, y + 25, INK, shown))
    return _svg(max(ROW * len(rows) + 8, 20), title_id, parts)


def lines(months: list[str], series, *, title_id: str) -> str:
    """Counts per month, one line per series: [(name, [count per month])], with a legend under the plot."""
    series = list(series)
    left, top_pad, plot_h, plot_w = 44, 10, 180, WIDTH - 44 - 12
    legend_rows = (len(series) + 1) // 2
    height = top_pad + plot_h + 26 + legend_rows * 18 + 6
    top = max([v for _, values in series for v in values if v is not None] + [1])
    n = max(len(months), 1)

    def x(i):
        return left + plot_w * (i + 0.5) / n

    def y(v):
        return top_pad + plot_h * (1 - v / top)

    parts = []
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="{}">{}</text>',
                left,
                round(y(value), 1),
                WIDTH - 12,
                round(y(value), 1),
                GRID,
                left - 4,
                round(y(value) + 4, 1),
                MUTED,
                f"{value:.0f}",
            )
        )
    step = max(1, -(-n // 7))
    for i, label in enumerate(months):
        # Every step-th month, and the last one when it does not crowd the one before.
        if i % step == 0 or (i == n - 1 and i % step >= step / 2):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                    round(x(i), 1),
                    top_pad + plot_h + 16,
                    MUTED,
                    label,
                )
            )
    for k, (name, values) in enumerate(series):
        colour, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
        dash_attr = mark_safe(f' stroke-dasharray="{dash}"') if dash else ""
        # A month without a figure (None) breaks the line rather than drawing it at zero.
        runs, run = [], []
        for i, v in enumerate(values):
            if v is None:
                runs, run = runs + [run] if run else runs, []
            else:
                run.append((i, v))
        runs += [run] if run else []
        for run in runs:
            if len(run) == 1:
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="3" fill="{}"/>', round(x(run[0][0]), 1), round(y(run[0][1]), 1), colour
                    )
                )
            else:
                points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
                parts.append(
                    format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>', points, colour, dash_attr)
                )
        lx = left + (k % 2) * (plot_w // 2)
        ly = top_pad + plot_h + 34 + (k // 2) * 18
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}/>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                lx,
                ly - 4,
                lx + 22,
                ly - 4,
                colour,
                dash_attr,
                lx + 28,
                ly,
                INK,
                name,
            )
        )
    return _svg(height, title_id, parts)


def treemap(items, *, title_id: str, height: int = 360) -> str:
    """items: [(label, value)], value > 0. Squarified rectangles, largest first; a rectangle wide enough carries its
    label, each has a <title>. For readers who like one: the same figures are always in the table beside it."""
    items = sorted([(label, value) for label, value in items if value and value > 0], key=lambda item: -item[1])
    total = sum(value for _, value in items) or 1
    rects = []
    _squarify([(label, value * WIDTH * height / total) for label, value in items], 0, 0, WIDTH, height, rects)
    parts = []
    for k, (label, value_area, x, y, w, h) in enumerate(rects):
        share = 100 * value_area / (WIDTH * height)
        colour = PALETTE[k % 8]
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" stroke-width="2"><title>{} ({} %)</title></rect>',
                round(x, 1),
                round(y, 1),
                round(w, 1),
                round(h, 1),
                colour,
                label,
                f"{share:.1f}",
            )
        )
        if w > 70 and h > 28:
            chars = max(int(w / 7), 4)
            text = label if len(label) <= chars else label[: chars - 1] + "…"
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" fill="#fff">{}</text><text x="{}" y="{}" font-size="11" fill="#fff">{} %</text>',
                    round(x + 4, 1),
                    round(y + 15, 1),
                    text,
                    round(x + 4, 1),
                    round(y + 28, 1),
                    f"{share:.1f}",
                )
            )
    return _svg(height, title_id, parts)


def _worst(row, side):
    total = sum(a for _, a in row)
    return max(max(side * side * a / (total * total), total * total / (side * side * a)) for _, a in row)


def _squarify(items, x, y, w, h, out):
    """Bruls, Huizing and van Wijk's squarified layout: fill rows along the shorter side while the aspect ratios improve."""
    while items:
        side = min(w, h)
        row = [items[0]]
        rest = items[1:]
        while rest and _worst(row + [rest[0]], side) <= _worst(row, side):
            row.append(rest[0])
            rest = rest[1:]
        area = sum(a for _, a in row)
        if w >= h:
            strip = area / h if h else 0
            offset = y
            for label, a in row:
                cell = a / strip if strip else 0
                out.append((label, a, x, offset, strip, cell))
                offset += cell
            x, w = x + strip, w - strip
        else:
            strip = area / w if w else 0
            offset = x
            for label, a in row:
                cell = a / strip if strip else 0
                out.append((label, a, offset, y, cell, strip))
                offset += cell
            y, h = y + strip, h - strip
        items = rest


def funnel_chart(data: dict, *, highlight: str, title_id: str, y_label: str, x_label: str) -> str:
    """A funnel plot (scoring.funnel): each body's share against its number of appeals, the pooled share and
    the 95 % (dashed) and 99.8 % (solid) control limits; the body of the page drawn larger, in another colour."""
    bodies, limits = data["bodies"], data["limits"]
    if not bodies:
        return ""
    top = max(b["n"] for b in bodies)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP

    def x(n):
        return LEFT + plot_w * n / top

    def y(v):
        return TOP + plot_h * (1 - v)

    parts = []
    for v in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_gridline(y(v), f"{int(v * 100)}%"))
    for n in (0, top // 2, top):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a5561">{}</text>', round(x(n), 1), HEIGHT - 14, n
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a5561">{}</text>', WIDTH - 10, HEIGHT - 2, x_label
        )
    )
    parts.append(format_html('<text x="{}" y="{}" font-size="11" fill="#4a5561">{}</text>', LEFT + 4, TOP + 10, y_label))
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b1f24" stroke-width="1"/>',
            LEFT,
            round(y(data["pooled"]), 1),
            WIDTH - 10,
            round(y(data["pooled"]), 1),
        )
    )
    for key, dash in (("95", ' stroke-dasharray="5 4"'), ("99.8", "")):
        for side in ("low", "high"):
            field = f"{side}_{key}"
            points = " ".join(f"{x(lim['n']):.1f},{y(lim[field]):.1f}" for lim in limits)
            parts.append(
                format_html('<polyline points="{}" fill="none" stroke="#6e7781" stroke-width="1.5"{}/>', points, mark_safe(dash))
            )
    for b in sorted(bodies, key=lambda b: b["body"] == highlight):
        mine = b["body"] == highlight
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#ffffff" stroke-width="1"/>',
                round(x(b["n"]), 1),
                round(y(b["share"]), 1),
                7 if mine else 4,
                "#a4161a" if mine else "#00538a",
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}</svg>',
        WIDTH,
        HEIGHT,
        escape(title_id),
        mark_safe("".join(parts)),
    )
