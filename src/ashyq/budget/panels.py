"""The budget's panels on a body's page and scorecard (registered in BudgetConfig.ready() with core/registry.py).

Money beside results, carefully: the figures sit side by side, and the wording says that a body that spends more
per appeal is not thereby worse (most of a ministry's budget pays for schools, hospitals, roads or pensions, not
for answering appeals). It shows a correlation to look into, never a verdict.
"""

from django.template.loader import render_to_string

from . import selectors


def _budget_year(admin, period: str):
    """The budget's figures for the scorecard's year when the reports hold it, else the latest full year."""
    years = selectors.by_year(selectors.administrator_series(admin))
    if not years:
        return None, False
    wanted = next((y for y in years if str(y["year"]) == str(period)[:4]), None)
    if wanted:
        return wanted, True
    full = [y for y in years if y["month"].month == 12]
    return (full or years)[-1], False


def body_panel(request, body, **_):
    admin = selectors.administrator_for_body(body)
    if admin is None:
        return None
    percent, month = selectors.execution_percent(admin)
    if month is None:
        return None
    return render_to_string(
        "budget/_body_panel.html", {"admin": admin, "percent": percent, "month": month, "body": body}, request=request
    )


def scorecard_panel(request, body, card, **_):
    admin = selectors.administrator_for_body(body)
    if admin is None:
        return None
    year, same_period = _budget_year(admin, card.get("period", ""))
    if year is None:
        return None
    counts, measures = card.get("counts") or {}, card.get("measures") or {}
    received, resolved = counts.get("received") or 0, counts.get("resolved") or 0
    executed = year["executed"]

    def per(n):
        # thousand tenge per appeal, shown in million tenge
        return float(executed) / n / 1000 if executed and n else None

    quality = measures.get("data_quality")
    return render_to_string(
        "budget/_scorecard_panel.html",
        {
            "admin": admin,
            "year": year,
            "same_period": same_period,
            "period": card.get("period"),
            "received": received,
            "resolved": resolved,
            "per_received": per(received),
            "per_resolved": per(resolved),
            "score": card.get("ashyq_score"),
            "quality": None if quality is None else quality * 100,
            "body": body,
        },
        request=request,
    )
