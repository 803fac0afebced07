"""Thin views over selectors.py: the ranking with both methods, a scorecard per body, regional figures,
the methodology (page and JSON), CSV/JSON downloads of every figure, and the monitors' dashboard."""

import io
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ashyq.bodies.models import Body
from ashyq.core import charts, csv_safe, pagecache, registry, tasks
from ashyq.dialogue.models import Channel

from . import config, final_state, formulas, scoring, selectors
from .models import GamingSimulation

COMPONENT_LABELS = {
    "outcome": _("What became of the appeals (value of their final states)"),
    "timeliness": _("Answered on time, among the appeals received"),
    "no_repeat": _("Answered, with no repeat appeal within 90 days"),
    "no_complaint": _("Answered, with no complaint about the answer"),
    "data_quality": _("Quality of the body's open datasets"),
    "legal_comments": _("Comments on its drafts answered with a reason"),
}
STATE_LABELS = {
    final_state.RESOLVED_CONFIRMED: _("Resolved, confirmed by the applicant"),
    final_state.RESOLVED_UNCONFIRMED: _("Resolved, not confirmed (no verdict or partly)"),
    final_state.RESOLVED_DISPUTED: _("Resolved, disputed (the applicant said no or a complaint was upheld)"),
    final_state.EXPLAINED: _("Explained"),
    final_state.REFUSED: _("Refused, with its legal ground"),
    final_state.LEFT: _("Left without consideration"),
    final_state.REDIRECTED_UNJUSTIFIED: _("Redirected, and the receiver did not decide it on its merits"),
    "redirect_late": _("Redirected, and the receiver let the term pass"),
    final_state.WITHDRAWN: _("Withdrawn by the applicant"),
    "overdue": _("Still open after its term"),
    final_state.REDIRECTED_JUSTIFIED: _("Redirected, and the receiver decided it on its merits (neutral)"),
    final_state.NOT_COMPETENT: _("Redirected here and answered as not this body's matter (neutral)"),
    final_state.OWN_STAFF: _("Written by the body's own staff (neutral)"),
    "redirect_pending": _("Redirected, the receiver still within its term (not judged yet)"),
    "open_in_term": _("Still open within its term (not judged yet)"),
}
STRATEGY_LABELS = {
    "redirect_everything": _("Redirects every appeal to another body, which answers that it is not its matter"),
    "redirect_most": _("Redirects most appeals away and resolves a few"),
    "formal_on_time": _("Answers every appeal with a formal explanation, on time"),
    "explained_last_day": _("Answers 'explained' on the last day of the term"),
    "extend_everything": _("Extends every term to the limit, then explains on the last day"),
    "left_without_consideration": _("Leaves appeals without consideration, citing a ground"),
    "self_confirmation": _("Its own staff write appeals, which it resolves and they confirm"),
    "splitting": _("Has one problem split into many appeals, each answered 'resolved' while the problem stays"),
    "withdrawal": _("Asks applicants to withdraw their appeals"),
}
OFFICIAL_LABELS = {
    "response": _("Response: answered or sent on, among received"),
    "timeliness": _("Timeliness: within the term, among those"),
    "uploads": _("Uploads: datasets updated in the month, among the body's datasets"),
}


def _period(request) -> str:
    key = request.GET.get("period") or selectors.default_period()
    try:
        scoring.parse_period(key)
    except ValueError:
        raise Http404("unknown period") from None
    return key


def _fmt(value, digits=1):
    return "" if value is None else round(value, digits)


def _csv_response(filename, header, rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _ranking_record(r) -> dict:
    return {k: v for k, v in r.items() if k != "body_obj"}


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def ranking(request):
    period = _period(request)
    rows = selectors.ranking(period)
    return render(
        request,
        "assessment/ranking.html",
        {
            "period": period,
            "periods": selectors.available_periods(),
            "rows": [r for r in rows if r["ranked"]],
            "unranked": [r for r in rows if not r["ranked"]],
            "min_appeals": config.get()["min_appeals"],
        },
    )


RANKING_COLUMNS = [
    "body",
    "received",
    "ranked",
    "official_score",
    "official_rank",
    "ashyq_score",
    "ashyq_rank",
    "move",
    "ashyq_score_low",
    "ashyq_score_high",
    "ashyq_rank_best",
    "ashyq_rank_worst",
]


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def ranking_download(request, fmt):
    period = _period(request)
    rows = selectors.ranking(period)
    if fmt == "json":
        return _json({"period": period, "method_version": config.get()["version"], "bodies": [_ranking_record(r) for r in rows]})
    comps = list(COMPONENT_LABELS)
    header = RANKING_COLUMNS + [f"ashyq_{c}" for c in comps] + [f"official_{c}" for c in OFFICIAL_LABELS]
    out = []
    for r in rows:
        out.append(
            [r[c] if r[c] is not None else "" for c in RANKING_COLUMNS]
            + [_fmt(r["ashyq_components"][c], 4) for c in comps]
            + [_fmt(r["official_components"][c]) for c in OFFICIAL_LABELS]
        )
    return _csv_response(f"ashyq-ranking-{period}.csv", header, out)


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def scorecard(request, slug):
    body = get_object_or_404(Body, slug=slug)
    period = _period(request)
    card = selectors.scorecard(body, period)
    months = [t["month"] for t in card["trend"]]
    score_chart = charts.line_chart(
        months,
        [
            (_("Ashyq score (0-100)"), "#00538a", [t["ashyq_score"] for t in card["trend"]], False),
            (
                _("Official score x10"),
                "#a4161a",
                [None if t["official_score"] is None else t["official_score"] * 10 for t in card["trend"]],
                True,
            ),
        ],
        title_id="scores-title",
        y_max=100,
        y_label_step=25,
    )
    volume_chart = charts.bar_chart(months, [t["received"] for t in card["trend"]], title_id="volume-title")
    funnel = selectors.funnel(period)
    names = {b.slug: b.name for b in Body.objects.filter(slug__in=[b["body"] for b in funnel["bodies"]])}
    funnel_chart = charts.funnel_chart(
        funnel,
        highlight=body.slug,
        title_id="funnel-title",
        y_label=_("Resolved, of the appeals judged"),
        x_label=_("Appeals judged"),
    )
    m = card["measures"]
    return render(
        request,
        "assessment/scorecard.html",
        {
            **card,
            "periods": selectors.available_periods(),
            "score_chart": score_chart,
            "volume_chart": volume_chart,
            "panels": registry.render_panels("scorecard", request, body=body, card=card),
            "funnel": funnel,
            "funnel_chart": funnel_chart,
            "funnel_rows": [
                {**b, "name": names.get(b["body"], b["body"]), "mine": b["body"] == body.slug} for b in funnel["bodies"]
            ],
            "components": [
                {
                    "key": k,
                    "label": COMPONENT_LABELS[k],
                    "value": card["ashyq_components"][k],
                    "points": card["contributions"][k],
                    "weight": config.get()["weights"].get(k),
                }
                for k in COMPONENT_LABELS
            ],
            "official": [{"label": OFFICIAL_LABELS[k], "value": v} for k, v in card["official_components"].items()],
            "states": [
                {"label": label, "value": scoring.STATE_VALUES.get(k), "rate": m["states"][k]}
                for k, label in STATE_LABELS.items()
            ],
            "moved": [{**mv, "label": COMPONENT_LABELS[mv["component"]]} for mv in card["what_moved"]],
            "rates": [
                (_("Redirected away (bounce rate)"), m["bounce_rate"]),
                (_("Redirect ping-pong"), m["ping_pong_rate"]),
                (_("Answered on time, among answers and appeals overdue"), m["on_time_rate"]),
                (_("Outcome: resolved, measures taken"), m["outcomes"]["resolved"]),
                (_("Outcome: explained"), m["outcomes"]["explained"]),
                (_("Outcome: refused"), m["outcomes"]["refused"]),
                (_("Outcome: left without consideration"), m["outcomes"]["left_without_consideration"]),
                (_("Resolution confirmed by the applicant, among feedback"), m["resolution_confirmed"]),
                (_("Partly resolved, among feedback"), m["resolution_partly"]),
                (_("Feedback rate, among answers"), m["feedback_rate"]),
                (_("Repeat appeals within 90 days, among answers"), m["repeat_rate"]),
                (_("Complaints about answers, among answers"), m["complaint_rate"]),
            ],
        },
    )


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def scorecard_download(request, slug, fmt):
    body = get_object_or_404(Body, slug=slug)
    period = _period(request)
    card = selectors.scorecard(body, period)
    if fmt == "json":
        return _json(
            {
                "body": body.slug,
                "period": period,
                "method_version": config.get()["version"],
                "counts": card["counts"],
                "measures": card["measures"],
                "official_score": card["official_score"],
                "official_components": card["official_components"],
                "ashyq_score": card["ashyq_score"],
                "ashyq_components": card["ashyq_components"],
                "contributions": card["contributions"],
                "what_moved": card["what_moved"],
                "previous_period": card["previous_period"],
                "previous_ashyq_score": card["previous_ashyq_score"],
                "overdue_now": card["overdue_now"],
                "monthly": card["trend"],
                "rank": _ranking_record(card["rank"]) if card["rank"] else None,
            }
        )
    header = ["month", "received", "answered", "official_score", "ashyq_score"]
    return _csv_response(
        f"ashyq-{body.slug}-{period}.csv", header, [[t[h] if t[h] is not None else "" for h in header] for t in card["trend"]]
    )


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def funnel_download(request, fmt):
    period = _period(request)
    data = selectors.funnel(period)
    if fmt == "json":
        return _json({"period": period, "share": "resolved (confirmed or not, not disputed) / appeals judged", **data})
    header = ["body", "resolved", "judged", "share", "low_95", "high_95", "low_99_8", "high_99_8", "position"]
    return _csv_response(
        f"ashyq-funnel-{period}.csv",
        header,
        [
            [
                b["body"],
                b["k"],
                b["n"],
                _fmt(b["share"], 4),
                _fmt(b["low_95"], 4),
                _fmt(b["high_95"], 4),
                _fmt(b["low_998"], 4),
                _fmt(b["high_998"], 4),
                b["position"],
            ]
            for b in data["bodies"]
        ],
    )


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def regions(request):
    period = _period(request)
    return render(
        request,
        "assessment/regions.html",
        {"period": period, "periods": selectors.available_periods(), "rows": selectors.regions(period)},
    )


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def regions_download(request, fmt):
    period = _period(request)
    rows = selectors.regions(period)
    header = ["region", "population", "registered", "per_100k", "answered", "resolved"]
    records = [
        {
            "region": r["code"],
            "population": r["population"],
            "registered": r["registered"],
            "per_100k": r["per_100k"],
            "answered": r["answered"],
            "resolved": r["resolved"],
        }
        for r in rows
    ]
    if fmt == "json":
        return _json({"period": period, "regions": records})
    return _csv_response(
        f"ashyq-regions-{period}.csv", header, [[("" if r[h] is None else r[h]) for h in header] for r in records]
    )


def _channel_figures(request, period: str) -> dict:
    try:
        return selectors.channel_figures(period, request.GET.get("channel") or None)
    except ValueError:
        raise Http404("unknown channel") from None


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def channels(request):
    """Appeals by channel (Open Dialogue, the President's Virtual Reception, blogs, web conferences) in a period,
    or one channel's appeals by body: the channel filter of the assessment, with its chart, table and downloads."""
    period = _period(request)
    data = _channel_figures(request, period)
    chart = charts.bars([(r["name"], r["received"], None, None) for r in data["rows"]], title_id="h-channel-figures")
    return render(
        request,
        "assessment/channels.html",
        {**data, "periods": selectors.available_periods(), "chart": chart, "channel_choices": Channel.choices},
    )


CHANNEL_COLUMNS = ["key", "received", "answered", "on_time", "redirected", "overdue"]


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def channels_download(request, fmt):
    period = _period(request)
    data = _channel_figures(request, period)
    records = [{c: r[c] for c in CHANNEL_COLUMNS} for r in data["rows"]]
    unit = "body" if data["channel"] else "channel"
    if fmt == "json":
        return _json({"period": period, "channel": data["channel"], "rows_are": unit, "rows": records})
    header = [unit] + CHANNEL_COLUMNS[1:]
    suffix = f"-{data['channel']}" if data["channel"] else ""
    return _csv_response(f"ashyq-channels-{period}{suffix}.csv", header, [[r[c] for c in CHANNEL_COLUMNS] for r in records])


def methodology_data() -> dict:
    """The methodology as data, in English (formulas.py holds each text once; the page shows them translated)."""
    cfg = config.get()
    days = cfg["repeat_window_days"]
    return {
        "version": cfg["version"],
        "unit": formulas.english(formulas.UNIT, days),
        "ashyq": {
            "score": formulas.english(formulas.ASHYQ_SCORE, days),
            "weights": cfg["weights"],
            "components": {key: formulas.english(text, days) for key, text in formulas.ASHYQ.items()},
            "final_states": {
                "values": scoring.STATE_VALUES,
                "neutral": list(final_state.NEUTRAL),
                "not_judged_yet": ["open_in_term", "redirect_pending"],
                "redirect_justified": formulas.english(formulas.REDIRECT_JUSTIFIED, days),
            },
        },
        "official_reconstruction": {
            "score": formulas.english(formulas.OFFICIAL_SCORE, days),
            "components": {key: formulas.english(text, days) for key, text in formulas.OFFICIAL.items()},
        },
        "intervals": formulas.english(formulas.INTERVALS, days),
        "min_appeals": cfg["min_appeals"],
        "repeat_window_days": days,
        "recompute": (
            "ashyq.assessment.recompute over body_month_figures, region_month_figures and regions (all appeals, "
            "counts only) of /open-data/appeals/, overdue as of datapackage.json 'as_of'; see docs/assessment.md"
        ),
    }


def _simulation_table() -> dict | None:
    """The latest `manage.py simulate_gaming` run, its strategies labelled in the reader's language."""
    run = GamingSimulation.objects.first()
    if run is None:
        return None
    result = run.result
    return {
        **result,
        "ran_at": run.ran_at,
        "rows": [{**r, "label": STRATEGY_LABELS.get(r["strategy"], r["strategy"])} for r in result["strategies"]],
    }


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def methodology(request):
    data = methodology_data()
    return render(
        request,
        "assessment/methodology.html",
        {
            "data": data,
            "weights": [(COMPONENT_LABELS[k], v) for k, v in data["ashyq"]["weights"].items()],
            "states": [(STATE_LABELS[k], scoring.STATE_VALUES.get(k)) for k in STATE_LABELS],
            "simulation": _simulation_table(),
            "json": json.dumps(data, ensure_ascii=False, indent=1),
            # The formulas in words, in the reader's language (the JSON below keeps them in English).
            "unit": formulas.shown(formulas.UNIT, data["repeat_window_days"]),
            "ashyq_score": formulas.shown(formulas.ASHYQ_SCORE, data["repeat_window_days"]),
            "ashyq_formulas": [
                (COMPONENT_LABELS[key], formulas.shown(text, data["repeat_window_days"])) for key, text in formulas.ASHYQ.items()
            ],
            "official_score": formulas.shown(formulas.OFFICIAL_SCORE, data["repeat_window_days"]),
            "official_formulas": [
                (formulas.OFFICIAL_LABELS[key], formulas.shown(text, data["repeat_window_days"]))
                for key, text in formulas.OFFICIAL.items()
            ],
        },
    )


@require_GET
@pagecache.public_page(pagecache.FIGURES)
def methodology_json(request):
    return _json(methodology_data())


@login_required
@require_GET
def dashboard(request):
    if not selectors.can_monitor(request.user):
        raise PermissionDenied
    # The background queue's health beside the figures it keeps fresh: a long wait means late figures and emails.
    return render(request, "assessment/dashboard.html", {**selectors.dashboard(request.user), "queue": tasks.queue_status()})
