"""Open Budget pages and downloads. Everything here is public (the budget is published; nothing personal).

Each page builds its tables once; `?format=csv|json&table=NAME` returns one of them, so every chart's figures
download exactly as shown (amounts in thousand tenge there, billions on the page).
"""

import io
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ashyq.bodies.models import Body
from ashyq.core import charts, csv_safe
from ashyq.core.models import Region

from . import names, selectors
from .models import Phase
from .selectors import CHART_PHASES, PHASES

PHASE_NAMES = dict(Phase.choices)


@require_GET
def datapackage(request, pk=None):
    """The Fiscal Data Package descriptor of the current import (or of import `pk`)."""
    run = selectors.import_run(pk)
    if run is None or not run.descriptor:
        raise Http404
    response = HttpResponse(json.dumps(run.descriptor, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = 'inline; filename="datapackage.json"'
    return response


# --- downloads ----------------------------------------------------------------------------------------------


def _number(value):
    return "" if value is None else (format(value, "f") if not isinstance(value, float) else f"{value:.2f}")


def _download(request, tables: dict, filename: str):
    """tables: name -> (header, rows). None when the request asks for the page."""
    fmt = request.GET.get("format")
    if fmt is None:
        return None
    name = request.GET.get("table", "")
    if fmt not in ("csv", "json") or name not in tables:
        return HttpResponse(
            _("Unknown download: choose format csv or json and one of the tables: %(tables)s.") % {"tables": ", ".join(tables)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header, rows = tables[name]
    if fmt == "json":
        records = [dict(zip(header, [_number(v) if not isinstance(v, str) else v for v in row])) for row in rows]
        return JsonResponse(
            {"unit": "thousand tenge", "table": name, "rows": records}, json_dumps_params={"ensure_ascii": False, "indent": 1}
        )
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer)
    writer.writerow(header)
    writer.writerows([[v if isinstance(v, str) else _number(v) for v in row] for row in rows])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{name}.csv"'
    return response


def _links(request, name):
    query = request.GET.copy()
    query.pop("format", None)
    query["table"] = name
    return {fmt: f"?{query.urlencode()}&format={fmt}" for fmt in ("csv", "json")}


def _phase_table(rows, first=("code", "name")):
    header = list(first) + list(PHASES) + ["execution_percent"]
    return header, [
        [r.get(k) if k != "name" else r["name"] for k in first] + [r.get(p) for p in PHASES] + [r.get("percent")] for r in rows
    ]


def _series_table(monthly):
    return ["month"] + PHASES, [[f"{m:%Y-%m}"] + [monthly[m].get(p) for p in PHASES] for m in sorted(monthly)]


def _years_table(years):
    header = ["year", "last_month"] + PHASES + ["execution_percent", "executed_change_percent", "adjusted_change_percent"]
    return header, [
        [str(y["year"]), f"{y['month']:%Y-%m}"]
        + [y[p] for p in PHASES]
        + [y["percent"], y["executed_change"], y["adjusted_change"]]
        for y in years
    ]


# --- shared page parts --------------------------------------------------------------------------------------


def _bn(value):
    return None if value is None else float(value) / 1e6


def _line_chart(monthly, title_id):
    months = sorted(monthly)
    series = [(str(PHASE_NAMES[p]), [_bn(monthly[m].get(p)) for m in months]) for p in CHART_PHASES]
    return charts.lines([f"{m:%m.%Y}" for m in months], series, title_id=title_id)


def _bar(value, top):
    """A bar per table row: its length is the row's share of the largest figure in the column."""
    width = 0 if not value or not top else max(1, round(100 * float(value) / float(top)))
    return format_html(
        '<svg class="rowbar" viewBox="0 0 100 10" width="100" height="10" aria-hidden="true" focusable="false">'
        '<rect x="0" y="0" width="{}" height="10" fill="#00538a"/></svg>',
        width,
    )


def _with_bars(rows, phase):
    top = max([r.get(phase) or 0 for r in rows] + [0])
    for row in rows:
        row["bar"] = _bar(row.get(phase), top)
    return rows


def _sorting(request, rows, default="executed"):
    sort = request.GET.get("sort", default)
    descending = request.GET.get("order", "desc" if sort not in ("name", "code") else "asc") == "desc"
    rows, sort = selectors.sort_rows(rows, sort, descending)
    return rows, {"sort": sort, "descending": descending}


def _year_choice(request, table="republican_by_administrator"):
    years = selectors.year_months(table)
    if not years:
        return None, None, {}
    try:
        year = int(request.GET.get("year", max(years)))
    except ValueError:
        year = max(years)
    if year not in years:
        year = max(years)
    return year, years[year], years


def _sort_links(request, columns, state):
    """Header links that sort by a column, the current column's link reversing the order."""
    links = {}
    for column in columns:
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("table", None)
        query["sort"] = column
        same = state["sort"] == column
        query["order"] = ("asc" if state["descending"] else "desc") if same else ("asc" if column in ("name", "code") else "desc")
        links[column] = {
            "url": f"?{query.urlencode()}",
            "aria": ("descending" if state["descending"] else "ascending") if same else None,
        }
    return links


def _empty(request):
    return render(request, "budget/empty.html", status=200)


# --- pages --------------------------------------------------------------------------------------------------


@require_GET
def index(request):
    """The republican budget by function and by administrator, for one year."""
    year, month, years = _year_choice(request)
    if year is None:
        return _empty(request)
    functions = selectors.breakdown("republican_by_function", "function_group", month)
    admins = selectors.breakdown("republican_by_administrator", "administrator", month)
    for row in admins:
        admin = row["line"].administrator
        row["url"] = reverse("budget:administrator", args=[admin.code]) if admin else ""
    monthly = selectors.series(selectors.Line.objects.filter(table="republican_by_administrator", key="total"))
    functions, function_sort = _sorting(request, functions)
    admins, _ = _sorting(request, admins)
    tables = {"functions": _phase_table(functions), "administrators": _phase_table(admins), "months": _series_table(monthly)}
    response = _download(request, tables, f"republican-budget-{year}")
    if response:
        return response
    total = selectors.total("republican_by_administrator", month)
    return render(
        request,
        "budget/index.html",
        {
            "year": year,
            "month": month,
            "years": sorted(years),
            "total": total,
            "total_percent": selectors.percent(total.get("executed"), total.get("plan-to-date")),
            "functions": _with_bars(functions, "executed"),
            "admins": _with_bars(admins, "executed"),
            "sorts": _sort_links(request, ["name", *PHASES, "percent"], function_sort),
            "treemap_functions": charts.treemap(
                [(r["name"], float(r["executed"] or 0)) for r in functions], title_id="h-functions-map"
            ),
            "treemap_admins": charts.treemap([(r["name"], float(r["executed"] or 0)) for r in admins], title_id="h-admins-map"),
            "chart": _line_chart(monthly, "h-months"),
            "months": [(m, monthly[m]) for m in sorted(monthly)],
            "downloads": {name: _links(request, name) for name in tables},
            "phases": PHASES,
        },
    )


@require_GET
def body_budget(request, slug):
    """A body's budget page is its administrator's."""
    body = get_object_or_404(Body, slug=slug)
    admin = selectors.administrator_for_body(body)
    if admin is None:
        raise Http404
    return redirect("budget:administrator", admin.code)


@require_GET
def administrator(request, code):
    admin = selectors.administrator(code)
    if admin is None:
        raise Http404
    monthly = selectors.administrator_series(admin)
    if not monthly:
        raise Http404
    years = selectors.by_year(monthly)
    year, month, _years = _year_choice(request)
    month = month if month in monthly else max(monthly)
    functions = selectors.administrator_functions(admin, month)
    programmes = selectors.administrator_programmes(admin, month)
    tables = {
        "months": _series_table(monthly),
        "years": _years_table(years),
        "functions": _phase_table(functions, first=("code", "name")),
        "programmes": _phase_table(
            [dict(r, name=r["name"]) for r in programmes] + [s for r in programmes for s in r["subprogrammes"]]
        ),
    }
    # The functions table names the subgroup, not the administrator (its own name on every row).
    tables["functions"] = _phase_table([dict(r, name=r["subgroup"]) for r in functions])
    response = _download(request, tables, f"budget-{admin.code}")
    if response:
        return response
    latest = max(monthly)
    return render(
        request,
        "budget/administrator.html",
        {
            "admin": admin,
            "body": admin.body,
            "years": years,
            "latest": latest,
            "latest_figures": monthly[latest],
            "latest_percent": selectors.percent(monthly[latest].get("executed"), monthly[latest].get("plan-to-date")),
            "chart": _line_chart(monthly, "h-months"),
            "months": [(m, monthly[m]) for m in sorted(monthly)],
            "functions": _with_bars(functions, "executed"),
            "programmes": programmes,
            "month": month,
            "year": year,
            "year_choices": sorted(_years),
            "downloads": {name: _links(request, name) for name in tables},
            "phases": PHASES,
        },
    )


@require_GET
def regions(request):
    return render(request, "budget/regions.html", {"regions": Region.objects.filter(iso_code__in=selectors.REGION_TABLES)})


@require_GET
def region(request, iso):
    table = selectors.region_table(iso)
    if table is None:
        raise Http404
    region = get_object_or_404(Region, iso_code=iso)
    year, month, years = _year_choice(request, table)
    if year is None:
        return _empty(request)
    monthly = selectors.region_series(table)
    revenue = selectors.region_lines(table, month, section="1", depth=1)
    functions = selectors.region_lines(table, month, section="2", depth=1)
    admins = selectors.region_administrators(table, month)
    functions, function_sort = _sorting(request, functions)
    admins, _ = _sorting(request, admins)
    tables = {
        "months": _series_table(monthly),
        "revenue": _phase_table(revenue),
        "functions": _phase_table(functions),
        "administrators": _phase_table(admins),
    }
    response = _download(request, tables, f"local-budget-{iso}")
    if response:
        return response
    return render(
        request,
        "budget/region.html",
        {
            "region": region,
            "year": year,
            "month": month,
            "years": sorted(years),
            "revenue": revenue,
            "functions": _with_bars(functions, "executed"),
            "admins": _with_bars(admins, "executed"),
            "sorts": _sort_links(request, ["name", *PHASES, "percent"], function_sort),
            "treemap": charts.treemap([(r["name"], float(r["executed"] or 0)) for r in functions], title_id="h-functions-map"),
            "chart": _line_chart(monthly, "h-months"),
            "months": [(m, monthly[m]) for m in sorted(monthly)],
            "downloads": {name: _links(request, name) for name in tables},
            "phases": PHASES,
        },
    )


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.search_programmes(query) if len(query) >= 3 else []
    return render(request, "budget/search.html", {"query": query, "results": results, "too_short": 0 < len(query) < 3})


@require_GET
def citizens(request, year):
    """The citizen's budget: where the money came from, the ten biggest functions, what a tenge pays for."""
    data = selectors.citizens_budget(year)
    if data is None:
        raise Http404
    for row in data["revenue"]:
        row["label"] = names.localised(names.REVENUE_CATEGORIES.get(row["code"]), row["name"])
    for row in data["spending"]:
        row["label"] = names.localised(names.FUNCTION_GROUPS.get(row["code"]), row["name"])
    sources = [(r["label"], r["executed"]) for r in data["revenue"]]
    if data["borrowing"]:
        sources.append((names.localised(names.BORROWING), data["borrowing"]["executed"]))
    tables = {
        "sources": (
            ["source", "executed", "approved"],
            [[r["label"], r["executed"], r["approved"]] for r in data["revenue"]]
            + (
                [[names.localised(names.BORROWING), data["borrowing"]["executed"], data["borrowing"]["approved"]]]
                if data["borrowing"]
                else []
            ),
        ),
        "functions": (
            ["code", "function", "executed", "approved", "tiyn_of_each_tenge_spent"],
            [[r["code"], r["label"], r["executed"], r["approved"], r["tiyn"]] for r in data["spending"]],
        ),
    }
    response = _download(request, tables, f"citizens-budget-{year}")
    if response:
        return response
    years = sorted(selectors.year_months("republican_budget_report"))
    return render(
        request,
        "budget/citizens.html",
        {
            **data,
            "year": year,
            "years": years,
            "downloads": {name: _links(request, name) for name in tables},
            "sources_chart": charts.bars(
                [(label, _bn(value) or 0, None, None) for label, value in sources], title_id="h-sources"
            ),
            "functions_chart": charts.bars(
                [(r["label"], _bn(r["executed"]) or 0, None, None) for r in data["top"]], title_id="h-top"
            ),
            "tenge_chart": charts.bars(
                [(r["label"], round(r["tiyn"] or 0, 1), None, None) for r in data["spending"] if r["tiyn"]], title_id="h-tenge"
            ),
            "whole_year": data["month"].month == 12,
        },
    )
