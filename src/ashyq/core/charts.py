"""Charts drawn on the server as inline SVG: no script, readable on slow connections; every chart on a page
has a data table beside it for screen readers and a CSV/JSON download. Only SVG attributes, no style (CSP)."""

from typing import NamedTuple

from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 40, 28, 12


class Frame(NamedTuple):
    """The drawing's own coordinates. Every chart is drawn twice: WIDE for screens where 640 units are shown at about
    their size, NARROW for phones (site.css shows one or the other): a phone shrinks a 640-unit drawing to about
    0.55, so its text would be 6 px; the narrow one is 340 units wide with larger text and fewer tick labels, so that
    at 390 px it is drawn at about its own size and its text stays at least 12 px."""

    width: int
    left: int
    font: int  # tick labels and legends
    label_font: int  # row labels and values
    ticks: int  # at most this many labels along the x axis
    css: str


WIDE = Frame(WIDTH, LEFT, 11, 12, 7, "chart")
NARROW = Frame(340, 44, 13, 13, 3, "chart narrow")


def _fit(label, room: float, font: int) -> str:
    """A label cut to what `room` units hold at `font` (the table beside the chart has it whole)."""
    label = str(label)
    chars = max(int(room / (0.6 * font)), 4)
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _both(draw, *args, **kwargs) -> str:
    """The chart drawn for wide screens and for phones, one after the other (CSS shows one)."""
    wide = draw(WIDE, *args, **kwargs)
    if not wide:
        return wide
    return format_html("{}{}", wide, draw(NARROW, *args, **kwargs))


def _open_svg(frame: Frame, height: int, title_id: str, parts) -> str:
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}</svg>',
        frame.css,
        frame.width,
        height,
        escape(title_id),
        mark_safe("".join(parts)),
    )


def _gridline(frame: Frame, at_y: float, label: str):
    """A horizontal grid line across the plot at `at_y`, with its value labelled left of the axis."""
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="#4a5561">{}</text>',
        frame.left,
        round(at_y, 1),
        frame.width - 10,
        round(at_y, 1),
        frame.left - 4,
        round(at_y + 4, 1),
        frame.font,
        label,
    )


def line_chart(points, series, *, title_id: str, y_max: float, y_label_step: float) -> str:
    """points: list of x labels; series: [(name, colour, values, dash)], values None are gaps."""
    return _both(_line_chart, points, series, title_id=title_id, y_max=y_max, y_label_step=y_label_step)


def _x_labels(n: int, frame: Frame) -> set[int]:
    """Which of n x-axis labels are written: every step-th and the last, never more than the frame holds."""
    step = max(1, -(-n // frame.ticks))
    shown = set(range(0, n, step))
    if n and (n - 1) % step >= step / 2:
        shown.add(n - 1)
    return shown


def _line_chart(frame: Frame, points, series, *, title_id: str, y_max: float, y_label_step: float) -> str:
    n = max(len(points), 1)
    # The legend above the plot: one row on a wide screen (x, the key's y, the name's baseline); two a row on a phone,
    # with the plot moved down below them.
    if frame is WIDE:
        column, top_pad = 160, TOP
        slots = [(frame.left + column * i, 2, 9) for i in range(len(series))]
    else:
        column = (frame.width - 8) // 2
        slots = [(4 + column * (i % 2), 7 + 19 * (i // 2), 13 + 19 * (i // 2)) for i in range(len(series))]
        top_pad = 19 * (-(-len(series) // 2)) + 14
    height = HEIGHT + top_pad - TOP
    plot_w, plot_h = frame.width - frame.left - 10, HEIGHT - BOTTOM - TOP

    def x(i):
        return frame.left + (plot_w * (i + 0.5) / n)

    def y(v):
        return top_pad + plot_h * (1 - min(v, y_max) / y_max)

    parts = []
    v = 0.0
    while v <= y_max + 1e-9:
        parts.append(_gridline(frame, y(v), f"{v:g}"))
        v += y_label_step
    for i in sorted(_x_labels(len(points), frame)):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="#4a5561">{}</text>',
                round(x(i), 1),
                height - 8,
                frame.font,
                points[i],
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
        '<rect x="{}" y="{}" width="12" height="4" fill="{}"/><text x="{}" y="{}" font-size="{}" fill="#1b1f24">{}</text>',
        (
            (lx, ky, colour, lx + 16, ty, frame.font, name if frame is WIDE else _fit(name, column - 20, frame.font))
            for (lx, ky, ty), (name, colour, _, _) in zip(slots, series)
        ),
    )
    return _open_svg(frame, height, title_id, [*parts, legend])


def bar_chart(labels, values, *, title_id: str, colour: str = "#00538a") -> str:
    return _both(_bar_chart, labels, values, title_id=title_id, colour=colour)


def _bar_chart(frame: Frame, labels, values, *, title_id: str, colour: str) -> str:
    n = max(len(labels), 1)
    top = max([v for v in values if v] + [1])
    plot_w, plot_h = frame.width - frame.left - 10, HEIGHT - BOTTOM - TOP
    bar = plot_w / n * 0.7
    parts = [
        format_html(
            '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="#4a5561">{}</text>',
            frame.left - 4,
            TOP + 4,
            frame.font,
            top,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#6e7781"/>', frame.left, TOP + plot_h, frame.width - 10, TOP + plot_h
        ),
    ]
    shown = _x_labels(len(labels), frame)
    room = plot_w / max(len(shown), 1) - 6
    for i, (label, value) in enumerate(zip(labels, values)):
        h = plot_h * (value or 0) / top
        cx = frame.left + plot_w * (i + 0.5) / n
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
        if i in shown:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="#4a5561">{}</text>',
                    round(cx, 1),
                    HEIGHT - 8,
                    frame.font,
                    label if frame is WIDE else _fit(label, room, frame.font),
                )
            )
    return _open_svg(frame, HEIGHT, title_id, parts)


# Horizontal bars with intervals, lines with a legend and a treemap: the analysis and budget pages.
ROW = 34
INK, MUTED, GRID, BAR = "#1b1f24", "#4a5561", "#d0d7de", "#00538a"
# Colours for lines (each at least 3:1 against white) and a dash pattern each, so series differ without colour too.
PALETTE = ["#00538a", "#a4161a", "#2b7a0b", "#7a3e9d", "#9a5b00", "#0b6e6e", "#c2185b", "#4a5561", "#1b1f24", "#5c4b00"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3", "", "6 3"]


def _number(value) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def bars(rows, *, title_id: str, percent: bool = False) -> str:
    """rows: [(label, value, low, high)]; low/high (an interval) may be None. percent: values are 0-1."""
    return _both(_bars, list(rows), title_id=title_id, percent=percent)


def _bars(frame: Frame, rows, *, title_id: str, percent: bool) -> str:
    top = max([r[1] or 0 for r in rows] + [r[3] or 0 for r in rows] + [1e-9])
    if percent:
        top = min(1.0, top)
    font = frame.label_font
    left, right = 4, frame.width - (70 if frame is WIDE else 80)
    span = right - left
    row = ROW if frame is WIDE else ROW + 4
    parts = []
    for i, (label, value, low, high) in enumerate(rows):
        y = 4 + i * row
        w = span * (value or 0) / top
        shown = "—" if value is None else (f"{100 * value:.1f} %" if percent else _number(value))
        # The label above its bar, never reaching the value written right of the bars.
        label = label if frame is WIDE else _fit(label, right - left, font)
        # Plain formatting with the two texts escaped: numbers need no escaping, and a page draws hundreds of rows
        # (format_html escapes every argument, a fifth of the analysis page's time).
        parts.append(f'<text x="{left}" y="{y + 11}" font-size="{font}" fill="{INK}">{conditional_escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 15}" width="{round(w, 1)}" height="12" fill="{BAR}"/>')
        if low is not None and high is not None:
            a, b = round(left + span * low / top, 1), round(left + span * min(high, top) / top, 1)
            m, t, u = y + 21, y + 15, y + 27
            parts.append(
                f'<line x1="{a}" y1="{m}" x2="{b}" y2="{m}" stroke="{INK}" stroke-width="1.5"/>'
                f'<line x1="{a}" y1="{t}" x2="{a}" y2="{u}" stroke="{INK}" stroke-width="1.5"/>'
                f'<line x1="{b}" y1="{t}" x2="{b}" y2="{u}" stroke="{INK}" stroke-width="1.5"/>'
            )
        parts.append(f'<text x="{right + 6}" y="{y + 25}" font-size="{font}" fill="{INK}">{escape(shown)}</text>')
    return _open_svg(frame, max(row * len(rows) + 8, 20), title_id, parts)


def lines(months: list[str], series, *, title_id: str) -> str:
    """Counts per month, one line per series: [(name, [count per month])], with a legend under the plot."""
    return _both(_lines, months, list(series), title_id=title_id)


def _lines(frame: Frame, months: list[str], series, *, title_id: str) -> str:
    left, top_pad, plot_h = 44, 10, 180
    plot_w = frame.width - left - 12
    # Two legend entries a row on a wide screen, one on a phone (a name has room for its words).
    per_row = 2 if frame is WIDE else 1
    pitch = 18 if frame is WIDE else frame.font + 7
    legend_rows = -(-len(series) // per_row)
    height = top_pad + plot_h + 26 + legend_rows * pitch + 6
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
                '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>',
                left,
                round(y(value), 1),
                frame.width - 12,
                round(y(value), 1),
                GRID,
                left - 4,
                round(y(value) + 4, 1),
                frame.font,
                MUTED,
                f"{value:.0f}",
            )
        )
    # Every step-th month, and the last one when it does not crowd the one before.
    for i in sorted(_x_labels(len(months), frame)):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
                round(x(i), 1),
                top_pad + plot_h + 16,
                frame.font,
                MUTED,
                months[i],
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
        lx = left + (k % per_row) * (plot_w // 2) if frame is WIDE else 4
        ly = top_pad + plot_h + 34 + (k // per_row) * pitch
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}/>'
                '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
                lx,
                ly - 4,
                lx + 22,
                ly - 4,
                colour,
                dash_attr,
                lx + 28,
                ly,
                frame.font,
                INK,
                name if frame is WIDE else _fit(name, frame.width - lx - 30, frame.font),
            )
        )
    return _open_svg(frame, height, title_id, parts)


def treemap(items, *, title_id: str, height: int = 360) -> str:
    """items: [(label, value)], value > 0. Squarified rectangles, largest first; a rectangle wide enough carries its
    label, each has a <title>. For readers who like one: the same figures are always in the table beside it."""
    return _both(_treemap, items, title_id=title_id, height=height)


def _treemap(frame: Frame, items, *, title_id: str, height: int) -> str:
    width = frame.width
    items = sorted([(label, value) for label, value in items if value and value > 0], key=lambda item: -item[1])
    total = sum(value for _, value in items) or 1
    rects = []
    _squarify([(label, value * width * height / total) for label, value in items], 0, 0, width, height, rects)
    parts = []
    for k, (label, value_area, x, y, w, h) in enumerate(rects):
        share = 100 * value_area / (width * height)
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
        big, small = frame.label_font, frame.font
        # A label and its share, one above the other, only where both fit inside the rectangle.
        if w > 70 and h > big + small + 8:
            text = _fit(label, w - 8, big)
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" fill="#fff">{}</text><text x="{}" y="{}" font-size="{}" fill="#fff">{} %</text>',
                    round(x + 4, 1),
                    round(y + big + 3, 1),
                    big,
                    text,
                    round(x + 4, 1),
                    round(y + big + small + 5, 1),
                    small,
                    f"{share:.1f}",
                )
            )
    return _open_svg(frame, height, title_id, parts)


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
    return _both(_funnel_chart, data, highlight=highlight, title_id=title_id, y_label=y_label, x_label=x_label)


def _funnel_chart(frame: Frame, data: dict, *, highlight: str, title_id: str, y_label: str, x_label: str) -> str:
    bodies, limits = data["bodies"], data["limits"]
    if not bodies:
        return ""
    top = max(b["n"] for b in bodies)
    # On a phone the axis's name goes on a line of its own under the numbers.
    height = HEIGHT if frame is WIDE else HEIGHT + frame.font + 4
    plot_w, plot_h = frame.width - frame.left - 10, HEIGHT - BOTTOM - TOP

    def x(n):
        return frame.left + plot_w * n / top

    def y(v):
        return TOP + plot_h * (1 - v)

    parts = []
    for v in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_gridline(frame, y(v), f"{int(v * 100)}%"))
    for n in (0, top // 2, top):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="#4a5561">{}</text>',
                round(x(n), 1),
                HEIGHT - 14,
                frame.font,
                n,
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="#4a5561">{}</text>',
            frame.width - 10,
            height - 2,
            frame.font,
            x_label if frame is WIDE else _fit(x_label, frame.width - 14, frame.font),
        )
    )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="{}" fill="#4a5561">{}</text>',
            frame.left + 4,
            TOP + 10,
            frame.font,
            y_label if frame is WIDE else _fit(y_label, plot_w - 8, frame.font),
        )
    )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b1f24" stroke-width="1"/>',
            frame.left,
            round(y(data["pooled"]), 1),
            frame.width - 10,
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
    return _open_svg(frame, height, title_id, parts)
