"""Public, read-only pages of the content analysis (aggregates only: no appeal's text, no person) and the
CSV/JSON download of every table they show. Thin views over reports.py.

    /analysis/                                  all bodies, with a body selector and a range of months
    /analysis/bodies/<slug>/                    one body's report
    /analysis/compare/                          bodies side by side
    /analysis/<table>.<csv|json>                a table of the all-bodies report
    /analysis/bodies/<slug>/<table>.<csv|json>  a table of one body's report
    /analysis/compare.<csv|json>                the comparison

Every URL takes ?from=YYYY-MM&to=YYYY-MM (both included; by default the twelve months up to the latest
with appeals). A malformed month is a 400 that says what is expected; an unknown body is a 404.
"""

import io

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ashyq.bodies.models import Body
from ashyq.core import csv_safe, pagecache
from ashyq.dialogue.models import Channel

from . import report_charts, reports


def _round(value):
    return None if value is None else round(value, 4)


def _rate_columns(name: str, rate: dict) -> dict:
    return {name: _round(rate["value"]), f"{name}_low": _round(rate["low"]), f"{name}_high": _round(rate["high"])}


def _plain(row: dict, *rates: str) -> dict:
    """A table row as the CSV has it: each share with its interval in three columns."""
    out = {}
    for key, value in row.items():
        if key in rates:
            out.update(_rate_columns(key, value))
        elif key == "bodies":
            out["competent_bodies"] = "|".join(b["slug"] for b in value)
        elif key == "population_date":
            out[key] = value.isoformat() if value else None
        else:
            out[key] = value
    return out


def _json_row(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


# table name -> (report function, which keys are shares)
TABLES = {
    "causes": (reports.causes, ("share", "confirmed_share")),
    "regions": (reports.regions, ("share",)),
    "sectors": (reports.sectors, ("share", "confirmed_share")),
    "handling": (reports.handling, ("share",)),
    "redirects": (reports.redirects, ("share",)),
    "languages": (reports.languages, ("share",)),
    "channels": (reports.channels, ("share",)),
    "trend-causes": (reports.trend_causes, ()),
    "trend-handling": (reports.trend_handling, ()),
}
TABLE_PATTERN = "|".join(TABLES)


def _csv(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _scope(request, body):
    return reports.scope(body, request.GET.get("from"), request.GET.get("to"), request.GET.get("channel"))


def _channel_filter(s: reports.Scope) -> dict:
    """The filter form's channel select: every channel, the scope's chosen."""
    return {"channels_choice": Channel.choices, "channel_value": s.channel or ""}


def _bad_filter(request, error, body=None):
    return render(request, "analysis/bad_filter.html", {"error": str(error), "body": body}, status=400)


def _bad_download(fmt, error):
    if fmt == "json":
        return _json({"error": str(error)}, status=400)
    return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")


def _body(slug) -> Body:
    return get_object_or_404(Body, slug=slug)


# --- downloads ------------------------------------------------------------------------------------------------


def table_response(s: reports.Scope, table: str, fmt: str):
    function, rates = TABLES[table]
    data = function(s)
    stem = f"ashyq-analysis-{s.body.slug if s.body else 'all'}-{table}-{reports.month_key(s.first)}-{reports.month_key(s.last)}"
    if table.startswith("trend-"):
        if fmt == "json":
            return _json({"scope": s.as_dict(), **data})
        header = ["month"] + [series["key"] or "unclassified" for series in data["series"]]
        rows = [[month] + [series["counts"][i] for series in data["series"]] for i, month in enumerate(data["months"])]
        return _csv(f"{stem}.csv", header, rows)
    if fmt == "json":
        return _json(
            {
                "scope": s.as_dict(),
                "min_appeals": reports.min_appeals(),
                "total": data["total"],
                "ranked": data["ranked"],
                "rows": [_json_row(r) for r in data["rows"]],
            }
        )
    flat = [_plain(r, *rates) for r in data["rows"]]
    header = list(flat[0]) if flat else []
    return _csv(f"{stem}.csv", header, [[r[h] for h in header] for r in flat])


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def all_table(request, table, fmt):
    try:
        s = _scope(request, None)
    except reports.BadFilter as error:
        return _bad_download(fmt, error)
    return table_response(s, table, fmt)


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def body_table(request, slug, table, fmt):
    body = _body(slug)
    try:
        s = _scope(request, body)
    except reports.BadFilter as error:
        return _bad_download(fmt, error)
    return table_response(s, table, fmt)


COMPARE_RATES = ("merits", "redirected", "investigated", "confirmed")


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def compare_download(request, fmt):
    try:
        s = _scope(request, None)
    except reports.BadFilter as error:
        return _bad_download(fmt, error)
    data = reports.comparison(s)
    rows = data["rows"] + data["unranked"]
    if fmt == "json":
        return _json({"scope": s.as_dict(), "min_appeals": data["min_appeals"], "bodies": rows})
    flat = [_plain(r, *COMPARE_RATES) for r in rows]
    header = ["body", "name", "appeals", "ranked", "top_cause", "top_cause_name", "top_cause_count"] + [
        f"{k}{suffix}" for k in COMPARE_RATES for suffix in ("", "_low", "_high")
    ]
    return _csv(
        f"ashyq-analysis-compare-{reports.month_key(s.first)}-{reports.month_key(s.last)}.csv",
        header,
        [[r[h] for h in header] for r in flat],
    )


# --- pages ------------------------------------------------------------------------------------------------------


def _downloads(s: reports.Scope) -> dict:
    def url(table, fmt):
        if s.body:
            return reverse("analysis:body-table", args=[s.body.slug, table, fmt]) + "?" + s.query
        return reverse("analysis:table", args=[table, fmt]) + "?" + s.query

    return {table.replace("-", "_"): {"csv": url(table, "csv"), "json": url(table, "json")} for table in TABLES}


def _share_bars(rows, title_id):
    return report_charts.bars(
        [(r["name"], r["share"]["value"], r["share"]["low"], r["share"]["high"]) for r in rows], title_id=title_id, percent=True
    )


def _trend_context(trend: dict, title_id: str) -> dict:
    # A non-breaking hyphen keeps "2025-12" on one line in a narrow first column.
    # The counts as text: a table of months by series holds hundreds of numbers, and the template would localise each
    # (the site groups no digits, so the text is the same).
    rows = [
        {"month": m.replace("-", "\u2011"), "counts": [str(series["counts"][i]) for series in trend["series"]]}
        for i, m in enumerate(trend["months"])
    ]
    chart = report_charts.lines(
        trend["months"], [(series["name"], series["counts"]) for series in trend["series"]], title_id=title_id
    )
    return {**trend, "rows": rows, "chart": chart, "title_id": title_id}


def _body_choices() -> list[dict]:
    """The body selector's options, by name in the page's language (values, not model instances: ~60 bodies)."""
    language = (get_language() or "en")[:2]
    field = f"name_{language}" if language in ("kk", "ru") else "name_en"
    rows = Body.objects.filter(accepts_appeals=True).values("pk", "slug", field, "name_en")
    return sorted(({"pk": r["pk"], "slug": r["slug"], "name": r[field] or r["name_en"]} for r in rows), key=lambda b: b["name"])


def _links(url: str, bodies: list[dict]):
    """Links to these bodies' reports, separated by semicolons."""
    return mark_safe("; ".join(f'<a href="{escape(url.format(b["slug"]))}">{escape(b["name"])}</a>' for b in bodies))


def _report_page(request, s: reports.Scope):
    data = reports.report(s)
    charts = {
        "causes": _share_bars(data["causes"]["rows"], "h-causes"),
        "regions": report_charts.bars(
            [(r["name"], r["per_100k"], None, None) for r in data["regions"]["rows"]], title_id="h-regions"
        ),
        "sectors": _share_bars(data["sectors"]["rows"], "h-sectors"),
        "handling": _share_bars(data["handling"]["rows"], "h-handling"),
        "redirects": report_charts.bars(
            [(r["name"], r["count"], None, None) for r in data["redirects"]["rows"]], title_id="h-redirects"
        ),
        "languages": _share_bars(data["languages"]["rows"], "h-languages"),
        "channels": _share_bars(data["channels"]["rows"], "h-channels"),
    }
    # One reverse() for the many links to competent bodies' reports (a sector may have twenty akimats).
    body_url = reverse("analysis:body", args=["slug-placeholder"]).replace("slug-placeholder", "{}") + "?" + s.query
    redirect_url = body_url.removesuffix(s.query) + f"from={reports.month_key(s.first)}&to={reports.month_key(s.last)}"
    for row in data["redirects"]["rows"]:
        row["url"] = redirect_url.format(row["body"]) if row["body"] else None
    for row in data["sectors"]["rows"]:
        # The page folds the akimats (one per region) under one line; the downloads list every body. The links are
        # written here, escaped, rather than by the template: some 270 of them on the all-bodies page.
        row["central"] = _links(body_url, [b for b in row["bodies"] if not b["akimat"]])
        row["akimats"] = [b for b in row["bodies"] if b["akimat"]]
        row["akimat_links"] = _links(body_url, row["akimats"])
    downloads = _downloads(s)
    trends = [
        (
            _trend_context(data["trend_causes"], "h-trend-causes"),
            _("Appeals per month by cause"),
            _("Monthly appeals by cause"),
            downloads["trend_causes"],
        ),
        (
            _trend_context(data["trend_handling"], "h-trend-handling"),
            _("Appeals per month by handling"),
            _("Monthly appeals by handling"),
            downloads["trend_handling"],
        ),
    ]
    return render(
        request,
        "analysis/report.html",
        {
            **data,
            "body": s.body,
            "charts": charts,
            "downloads": downloads,
            "trends": trends,
            "bodies": _body_choices(),
            "from_value": reports.month_key(s.first),
            "to_value": reports.month_key(s.last),
            **_channel_filter(s),
        },
    )


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def index(request):
    slug = request.GET.get("body")
    if slug:
        # The body selector (a plain GET form, no script) lands here and goes on to the body's report.
        body = _body(slug)
        query = request.GET.copy()
        query.pop("body")
        target = reverse("analysis:body", args=[body.slug])
        return redirect(f"{target}?{query.urlencode()}" if query else target)
    try:
        s = _scope(request, None)
    except reports.BadFilter as error:
        return _bad_filter(request, error)
    return _report_page(request, s)


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def body_report(request, slug):
    body = _body(slug)
    try:
        s = _scope(request, body)
    except reports.BadFilter as error:
        return _bad_filter(request, error, body)
    return _report_page(request, s)


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def compare(request):
    try:
        s = _scope(request, None)
    except reports.BadFilter as error:
        return _bad_filter(request, error)
    data = reports.comparison(s)
    return render(
        request,
        "analysis/compare.html",
        {
            **data,
            "from_value": reports.month_key(s.first),
            "to_value": reports.month_key(s.last),
            **_channel_filter(s),
            "filter_action": reverse("analysis:compare"),
            "downloads": {fmt: reverse("analysis:compare-download", args=[fmt]) + "?" + s.query for fmt in ("csv", "json")},
        },
    )
