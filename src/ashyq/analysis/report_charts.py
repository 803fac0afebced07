"""The analysis pages' charts: horizontal bars with intervals and lines with a legend, shared with the budget's
pages in core/charts.py (inline SVG, no script, no style attribute: CSP)."""

from ashyq.core.charts import bars, lines

__all__ = ["bars", "lines"]
