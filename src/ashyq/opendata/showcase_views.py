"""Silk Road explorer pages: a comparison of Kazakhstan's partners, an openaid-style filter, a page per country.
Charts are inline SVG drawn on the server, each with a data table beside it (no script)."""

import io
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from ashyq.core import charts, csv_safe
from ashyq.core import countries as country_names

from . import comparison
from .models import Dataset
from .showcase import KZ, NOT_COUNTRIES, UZ, activities, countries, country_activities, rows


def _bars(items, value_key, *, title_id: str, label_key="partner") -> str:
    """Horizontal bars drawn by core.charts (a narrow drawing for phones too), a bar a row of `items`."""
    return charts.bars([(country_names.name(str(i[label_key])), i[value_key], None, None) for i in items], title_id=title_id)


def explorer(request):
    partners = [r for r in rows(KZ) if r["partner"] not in NOT_COUNTRIES]
    params = {k: request.GET.get(k, "").strip()[:100] for k in ("where", "who", "what", "when")}
    return render(
        request,
        "opendata/silk_road.html",
        {
            "chart": _bars(partners, "turnover_musd", title_id="chart-title"),
            "partners": partners,
            "countries": comparison.shown(countries()),
            "activities": activities(**params),
            "params": params,
        },
    )


def country(request, country):
    name = countries().get(country)
    if name is None:
        raise Http404
    kz = [r for r in rows(KZ) if r["partner"] == name]
    uz = [r for r in rows(UZ) if r["partner"] == name]
    trade_chart = ""
    if kz:
        trade_chart = _bars(
            [
                {"partner": gettext("Export"), "v": kz[0]["export_musd"]},
                {"partner": gettext("Import"), "v": kz[0]["import_musd"]},
            ],
            "v",
            title_id="trade-title",
        )
    compare_query = ""
    if country in comparison.partners():
        others = [s for s in comparison.DEFAULT if s != country][: comparison.MAX_COUNTRIES - 1]
        compare_query = urlencode([("country", s) for s in [country, *others]])
    return render(
        request,
        "opendata/country.html",
        {
            "name": country_names.name(name),
            "compare_query": compare_query,
            "kz": kz[0] if kz else None,
            "uz": uz[0] if uz else None,
            "trade_chart": trade_chart,
            "shares": [r for r in rows("central-asia-mutual-trade-shares") if r["country"] == name],
            "rta": [
                {
                    "kazakhstan": comparison.RTA.get(r["kazakhstan"], r["kazakhstan"]),
                    "uzbekistan": comparison.RTA.get(r["uzbekistan"], r["uzbekistan"]),
                }
                for r in rows("regional-trade-agreements")
                if r["partner"] == name
            ],
            "activities": country_activities(name),
        },
    )


def _comparison(request):
    """The countries asked for (or the default five), the records, and what was wrong with the request."""
    known = comparison.partners()
    requested = [s.strip()[:100] for s in request.GET.getlist("country") if s.strip()]
    if not requested and request.GET.get("chosen"):
        return known, [], [], [gettext("Choose at least one country.")]
    chosen, problems = comparison.choose(requested or [s for s in comparison.DEFAULT if s in known], known)
    return known, chosen, comparison.records(chosen, known), problems


def compare(request):
    known, chosen, table, problems = _comparison(request)
    query = urlencode([("country", slug) for slug in chosen])
    return render(
        request,
        "opendata/compare.html",
        {
            "known": comparison.shown(known),
            "chosen": chosen,
            "table": table,
            "problems": problems,
            "query": query,
            "measures": [
                (label, [comparison.RTA.get(r[key], r[key]) if key == "rta_with_kazakhstan" else r[key] for r in table])
                for key, label in comparison.MEASURES
            ],
            "max_countries": comparison.MAX_COUNTRIES,
            "turnover_chart": comparison.turnover_chart(table) if table else None,
            "activities_chart": comparison.activities_chart(table) if table else None,
            "shares_chart": comparison.shares_chart(table),
            "with_shares": [r for r in table if r["ca_share_2019_pct"] is not None],
            "sources": Dataset.objects.filter(slug__in=comparison.SOURCES).order_by("slug"),
        },
        status=400 if problems and not table else 200,
    )


def compare_download(request, fmt):
    known, chosen, table, problems = _comparison(request)
    if problems:
        # A download never silently leaves out a country that was asked for.
        if fmt == "json":
            return JsonResponse({"errors": [str(p) for p in problems]}, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponse("\n".join(str(p) for p in problems), status=400, content_type="text/plain; charset=utf-8")
    columns = ["slug", "name", "kz_rank", *[key for key, _label in comparison.MEASURES]]
    if fmt == "json":
        sources = [request.build_absolute_uri(reverse("opendata:dataset", args=[slug])) for slug in comparison.SOURCES]
        return JsonResponse(
            {
                "countries": [{c: r[c] for c in columns} for r in table],
                "fields": {key: str(label) for key, label in comparison.MEASURES},
                "notes": {
                    "rta_with_kazakhstan": "+ operating, X notified, - none (Table 5 of reference 003)",
                    "null": "the references do not give the figure",
                },
                "sources": sources,
            },
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer)
    writer.writerow(columns)
    writer.writerows([["" if r[c] is None else r[c] for c in columns] for r in table])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="silk-road-comparison.csv"'
    return response
