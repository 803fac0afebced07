"""Charts drawn on the server as inline SVG: no script, readable on slow connections; every chart on a page
has a data table beside it for screen readers and a CSV/JSON download. Only SVG attributes, no style (CSP)."""
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 40, 28, 12


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
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de" stroke-width="1"/>'
            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a5561">{}</text>',
            LEFT, round(y(v), 1), WIDTH - 10, round(y(v), 1), LEFT - 4, round(y(v) + 4, 1), f"{v:g}",
        ))
        v += y_label_step
    step = max(1, n // 6)
    for i, label in enumerate(points):
        if i % step == 0 or i == n - 1:
            parts.append(format_html('<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a5561">{}</text>',
                                     round(x(i), 1), HEIGHT - 8, label))
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
            parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
                                     " ".join(seg), colour, mark_safe(' stroke-dasharray="6 4"') if dash else ""))
    legend = format_html_join("", '<rect x="{}" y="2" width="12" height="4" fill="{}"/><text x="{}" y="9" font-size="11" fill="#1b1f24">{}</text>',
                              ((LEFT + 160 * i, colour, LEFT + 160 * i + 16, name) for i, (name, colour, _, _) in enumerate(series)))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}{}</svg>',
        WIDTH, HEIGHT, escape(title_id), mark_safe("".join(parts)), legend,
    )


def bar_chart(labels, values, *, title_id: str, colour: str = "#00538a") -> str:
    n = max(len(labels), 1)
    top = max([v for v in values if v] + [1])
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    bar = plot_w / n * 0.7
    parts = [format_html('<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a5561">{}</text>', LEFT - 4, TOP + 4, top),
             format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#6e7781"/>', LEFT, TOP + plot_h, WIDTH - 10, TOP + plot_h)]
    step = max(1, n // 6)
    for i, (label, value) in enumerate(zip(labels, values)):
        h = plot_h * (value or 0) / top
        cx = LEFT + plot_w * (i + 0.5) / n
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                                 round(cx - bar / 2, 1), round(TOP + plot_h - h, 1), round(bar, 1), round(h, 1), colour))
        if i % step == 0 or i == n - 1:
            parts.append(format_html('<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a5561">{}</text>',
                                     round(cx, 1), HEIGHT - 8, label))
    return format_html('<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" focusable="false">{}</svg>',
                       WIDTH, HEIGHT, escape(title_id), mark_safe("".join(parts)))
