"""Reads of the precomputed figures (public) and the live monitor views (monitors and admins only)."""

import datetime as dt

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from ashyq.bodies.models import Body
from ashyq.core import calendar, clock
from ashyq.core.models import Region
from ashyq.dialogue import deadlines, permissions
from ashyq.dialogue.models import OPEN_STATUSES, Appeal, AppealStay, AppealType, Channel, Status

from . import config, scoring
from .models import BodyMonthFigures, RegionMonthFigures

SUMS = {f: Sum(f) for f in scoring.COUNT_FIELDS}


def _months_in(period: str):
    _, start, end = scoring.parse_period(period)
    return start, end


def available_periods() -> dict:
    """Years, quarters and months that have figures, newest first."""
    span = BodyMonthFigures.objects.aggregate(lo=Min("month"), hi=Max("month"))
    if span["lo"] is None:
        today = clock.today()
        return {
            "years": [str(today.year)],
            "quarters": [scoring.period_key("quarter", today)],
            "months": [scoring.period_key("month", today)],
        }
    months, m = [], span["lo"]
    while m <= span["hi"]:
        months.append(m)
        m = scoring.add_months(m, 1)
    months.reverse()
    keys = {"years": [], "quarters": [], "months": []}
    for m in months:
        for kind, bucket in (("year", "years"), ("quarter", "quarters"), ("month", "months")):
            key = scoring.period_key(kind, m)
            if key not in keys[bucket]:
                keys[bucket].append(key)
    return keys


def default_period() -> str:
    return available_periods()["years"][0]


def _row_counts(row: dict) -> dict:
    c = scoring.empty_counts()
    for f in scoring.COUNT_FIELDS:
        c[f] = row.get(f) or 0
    return c


def counts_by_body(period: str, as_of: dt.date | None = None) -> dict:
    """{body_id: counts summed over the period, overdue as of `as_of` (today)} (without the working-days
    histogram): one aggregate query, and one over the rows that have appeals still open or redirects pending."""
    start, end = _months_in(period)
    as_of = as_of or clock.today()
    in_period = BodyMonthFigures.objects.filter(month__gte=start, month__lt=end)
    rows = in_period.order_by().values("body").annotate(**SUMS)
    out = {r["body"]: _row_counts(r) for r in rows}
    for body_id, open_due, pending in in_period.exclude(open_due={}, redirect_pending={}).values_list(
        "body", "open_due", "redirect_pending"
    ):
        scoring.add_counts(out[body_id], {"open_due": open_due, "redirect_pending": pending})
    return {b: scoring.settle(c, as_of) for b, c in out.items()}


def _figures(r) -> dict:
    return {**{f: getattr(r, f) for f in scoring.COUNT_FIELDS}, **{h: getattr(r, h) for h in scoring.HISTOGRAMS}}


def body_counts(body: Body, start: dt.date, end: dt.date, as_of: dt.date | None = None) -> dict:
    """One body's counts over [start, end) with the histograms, overdue as of `as_of` (today)."""
    rows = BodyMonthFigures.objects.filter(body=body, month__gte=start, month__lt=end)
    return scoring.settle(scoring.sum_counts(_figures(r) for r in rows), as_of or clock.today())


def ranking(period: str) -> list[dict]:
    cfg = config.get()
    counts = counts_by_body(period)
    bodies = Body.objects.in_bulk(list(counts))
    rows = scoring.ranking({bodies[b].slug: c for b, c in counts.items()}, cfg["weights"], cfg["min_appeals"])
    by_slug = {b.slug: b for b in bodies.values()}
    for r in rows:
        r["body_obj"] = by_slug[r["body"]]
    return rows


def funnel(period: str) -> dict:
    """The funnel plot of the period: each ranked body's resolved share of the appeals judged, against how
    many were judged, with control limits around the pooled share (scoring.funnel)."""
    cfg = config.get()
    counts = counts_by_body(period)
    slugs = dict(Body.objects.filter(pk__in=list(counts)).values_list("pk", "slug"))
    points = [(slugs[b], *scoring.resolved_share(c)) for b, c in counts.items() if c["received"] >= cfg["min_appeals"]]
    return scoring.funnel(sorted(points))


def scorecard(body: Body, period: str) -> dict:
    cfg = config.get()
    kind, start, end = scoring.parse_period(period)
    counts = body_counts(body, start, end)
    previous_key = scoring.previous_period(period)
    _, pstart, pend = scoring.parse_period(previous_key)
    previous = body_counts(body, pstart, pend)
    # The monthly trend: the twelve months up to the period's end.
    trend_start = scoring.add_months(end, -12)
    today = clock.today()
    monthly = {
        r.month: scoring.settle(_figures(r), today)
        for r in BodyMonthFigures.objects.filter(body=body, month__gte=trend_start, month__lt=end)
    }
    trend = []
    m = trend_start
    while m < end:
        c = monthly.get(m) or scoring.empty_counts()
        trend.append(
            {
                "month": scoring.period_key("month", m),
                "received": c["received"],
                "answered": c["answered"],
                "official_score": scoring.official_score(c),
                "ashyq_score": scoring.ashyq_score(c, cfg["weights"]),
            }
        )
        m = scoring.add_months(m, 1)
    ranked = next((r for r in ranking(period) if r["body"] == body.slug), None)
    return {
        "body": body,
        "period": period,
        "kind": kind,
        "counts": counts,
        "measures": scoring.measures(counts),
        "official_score": scoring.official_score(counts),
        "official_components": scoring.official_components(counts),
        "ashyq_score": scoring.ashyq_score(counts, cfg["weights"]),
        "ashyq_components": scoring.ashyq_components(counts),
        "contributions": scoring.contributions(counts, cfg["weights"]),
        "previous_period": previous_key,
        "previous_ashyq_score": scoring.ashyq_score(previous, cfg["weights"]),
        "what_moved": scoring.what_moved(previous, counts, cfg["weights"]),
        "trend": trend,
        "rank": ranked,
        "min_appeals": cfg["min_appeals"],
        "overdue_now": overdue_now(body),
    }


def overdue_now(body: Body) -> int:
    return Appeal.objects.filter(body=body, status__in=OPEN_STATUSES, due_on__lt=clock.today()).count()


def regions(period: str) -> list[dict]:
    start, end = _months_in(period)
    sums = {
        r["region"]: r
        for r in RegionMonthFigures.objects.filter(month__gte=start, month__lt=end)
        .order_by()
        .values("region")
        .annotate(registered=Sum("registered"), answered=Sum("answered"), resolved=Sum("resolved"))
    }
    out = []
    for region in Region.objects.all():
        s = sums.get(region.pk, {})
        out.append(
            {
                "region": region,
                "code": region.iso_code,
                **scoring.region_figures(
                    region.population, s.get("registered") or 0, s.get("answered") or 0, s.get("resolved") or 0
                ),
            }
        )
    return scoring.order_regions(out)


# --- the monitors' dashboard (live, from the dialogue tables) ------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


CHANNEL_COUNTS = ("received", "answered", "on_time", "redirected", "overdue")


def channel_figures(period: str, channel: str | None = None) -> dict:
    """The appeals registered in the period through each channel or, for one channel, at each body holding or
    answering them now: received, answered, answered on time, redirected away from the body addressed, open
    past their term today.

    Counted live from the appeals (not the body-month figures, which count every channel together and stay the
    basis of the scores): the index on (channel, registered_at) reads only the period's appeals of the channel.
    `channel` not one of Channel's values: ValueError."""
    if channel and channel not in Channel.values:
        raise ValueError(f"not a channel: {channel!r}")
    _, start, end = scoring.parse_period(period)
    today = clock.today()
    appeals = Appeal.objects.filter(registered_at__gte=_start_of(start), registered_at__lt=_start_of(end))
    if channel:
        appeals = appeals.filter(channel=channel)
    group = "body" if channel else "channel"
    groups = (
        appeals.order_by()
        .values(group)
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(status=Status.ANSWERED)),
            on_time=Count("pk", filter=Q(answer__answered_on_time=True)),
            redirected=Count("pk", filter=~Q(body=F("addressed_body"))),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        )
    )
    found = {g[group]: {c: g[c] for c in CHANNEL_COUNTS} for g in groups}
    if channel:
        bodies = Body.objects.in_bulk(list(found))
        rows = [{"key": bodies[b].slug, "name": bodies[b].name, **counts} for b, counts in found.items()]
        rows.sort(key=lambda r: (-r["received"], r["name"]))
    else:
        empty = dict.fromkeys(CHANNEL_COUNTS, 0)
        rows = [{"key": value, "name": label, **found.get(value, empty)} for value, label in Channel.choices]
    for r in rows:
        r["on_time_share"] = scoring.rate(r["on_time"], r["answered"])["value"]
    totals = {c: sum(r[c] for r in rows) for c in CHANNEL_COUNTS}
    return {"period": period, "channel": channel, "rows": rows, "totals": totals, "today": today}


# The monitoring dashboard is for those who oversee every appeal (dialogue's rule, the templates' `can.oversee`).
can_monitor = permissions.is_oversight


def dashboard(user, *, limit: int = 50) -> dict:
    if not can_monitor(user):
        raise PermissionError("monitors and admins only")
    today = clock.today()
    reg = deadlines.current_regulation(today)
    soon = calendar.add_working_days(today, reg.soon_due_working_days, reg.calendar_country)
    open_appeals = Appeal.objects.filter(status__in=OPEN_STATUSES)
    per_body = (
        open_appeals.filter(due_on__lte=soon)
        .order_by()
        .values("body")
        .annotate(overdue=Count("pk", filter=Q(due_on__lt=today)), soon_due=Count("pk", filter=Q(due_on__gte=today)))
    )
    bodies = Body.objects.in_bulk([r["body"] for r in per_body])
    load = sorted(({**r, "body": bodies[r["body"]]} for r in per_body), key=lambda r: (-r["overdue"], -r["soon_due"]))
    # Redirected twice or more: a third stay (the route as the dialogue keeps it, dialogue/stays.py).
    twice = AppealStay.objects.filter(seq__gte=3).values("appeal")
    ping_pong = Appeal.objects.select_related("body", "addressed_body").filter(pk__in=twice).order_by("-registered_at")[:limit]
    complaints = (
        Appeal.objects.select_related("body", "complaint_about__body")
        .filter(type=AppealType.COMPLAINT, complaint_about__isnull=False)
        .order_by("-registered_at")[:limit]
    )
    return {
        "today": today,
        "soon_until": soon,
        "load": load,
        "overdue_total": sum(r["overdue"] for r in load),
        "soon_total": sum(r["soon_due"] for r in load),
        "ping_pong": list(ping_pong),
        "complaints": list(complaints),
        "falling": falling_scores(),
        # This month's appeals by channel: the President's Virtual Reception apart from Open Dialogue.
        "channels": channel_figures(f"{today.year}-{today.month:02d}"),
    }


def falling_scores() -> list[dict]:
    """Ranked bodies whose Ashyq score fell by at least the configured points from the previous quarter
    (the last quarter with figures against the one before)."""
    cfg = config.get()
    quarters = available_periods()["quarters"]
    if not quarters:
        return []
    current = quarters[0]
    previous = scoring.previous_period(current)
    now, before = counts_by_body(current), counts_by_body(previous)
    bodies = Body.objects.in_bulk(list(now))
    out = []
    for body_id, c in now.items():
        if c["received"] < cfg["min_appeals"] or body_id not in before:
            continue
        a, b = scoring.ashyq_score(c, cfg["weights"]), scoring.ashyq_score(before[body_id], cfg["weights"])
        if a is not None and b is not None and b - a >= cfg["falling_points"]:
            out.append(
                {
                    "body": bodies[body_id],
                    "period": current,
                    "previous_period": previous,
                    "score": a,
                    "previous_score": b,
                    "change": round(a - b, 2),
                }
            )
    return sorted(out, key=lambda r: r["change"])
