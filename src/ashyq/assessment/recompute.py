"""The open-data path: every published score, computed from the files of the public export alone.

Over ALL appeals (private ones count), from the aggregated figures of the export:

    from ashyq.assessment import recompute
    export = recompute.load_export("exports/")        # body_month_figures, region figures, regions, as_of
    recompute.ranking_from_counts(export["counts"], "2025-Q1", as_of=export["as_of"])
    recompute.scorecard_from_counts(export["counts"], "ministry-of-justice", "2025-Q1", as_of=export["as_of"])
    recompute.regions_from_export(export, "2025")

From the per-appeal rows (published appeals only), the same counts for those appeals:

    counts = recompute.counts_from_export("appeals.json", "events.json", "stays.json")   # or the CSV files

The route of each appeal (which bodies held it, from which day, which of them redirected it) is read from the
stays file, as the site keeps it; exports made before that file existed still work without it
(`counts_from_export("appeals.json", "events.json")`): the route is then replayed from the events.

Uses only the Python standard library, the `holidays` package (Kazakhstan's working days) and the pure
functions of scoring.py, so a researcher can run it outside Ashyq. The rules are those of figures.py
(docs/assessment.md), applied row by row.
"""

import csv
import datetime as dt
import json
from pathlib import Path

from ashyq.core import calendar

from . import config, final_state, scoring

SEPARATOR = "|"


def _read(path) -> list[dict]:
    path = Path(path)
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key, value in row.items():
            if value == "":
                row[key] = None
        if "redirect_chain" in row and row["redirect_chain"] is not None:
            row["redirect_chain"] = row["redirect_chain"].split(SEPARATOR)
        for key in ("answered_on_time", "addressed", "extended"):
            if key in row and row[key] is not None:
                row[key] = row[key] == "true"
        for key in ("extensions", "feedback_rating", "seq", "population", *scoring.COUNT_FIELDS, "overdue", "registered"):
            if key in row and row[key] is not None:
                row[key] = int(row[key])
        for key in scoring.HISTOGRAMS:
            if key in row:
                row[key] = json.loads(row[key]) if row[key] else {}
    return rows


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _month(value: str) -> dt.date:
    """The local (Kazakhstan) month of an ISO date or datetime as exported."""
    return dt.date.fromisoformat(value[:10]).replace(day=1)


def _route_from_events(evs: list[dict]) -> list[tuple]:
    """[(body, month received, redirected away)] of an appeal, replayed from its events in order (older exports)."""
    redirects = [e for e in evs if e["kind"] == "redirected"]
    route = []
    for e in evs:
        if e["kind"] in ("registered", "redirected") and e["to_body"]:
            away = any(r["from_body"] == e["to_body"] and int(r["seq"]) > int(e["seq"]) for r in redirects)
            route.append((e["to_body"], _month(e["at"]), away))
    return route


def _route_from_stays(stays: list[dict]) -> list[tuple]:
    """[(body, month received, redirected away)] of an appeal from its rows of stays.csv, as the site keeps them."""
    return [
        (s["body"], _month(s["received_on"]), s["ending"] == "redirected") for s in sorted(stays, key=lambda s: int(s["seq"]))
    ]


def counts_from_rows(
    appeals: list[dict],
    events: list[dict],
    stays: list[dict] | None = None,
    *,
    window_days: int | None = None,
    country: str = "KZ",
) -> dict:
    """{(body_slug, month): counts} from the export's appeals, events and (when given) stays rows."""
    window = dt.timedelta(days=window_days if window_days is not None else config.get()["repeat_window_days"])
    out: dict = {}

    def slot(body, month):
        return out.setdefault((body, month), scoring.empty_counts())

    by_appeal: dict = {}
    for e in events:
        by_appeal.setdefault(e["appeal"], []).append(e)
    stays_by_appeal: dict = {}
    for s in stays or ():
        stays_by_appeal.setdefault(s["appeal"], []).append(s)
    upheld = {a["complaint_about"] for a in appeals if a.get("complaint_about") and a.get("outcome") == "resolved"}
    appeal_by_number = {a["number"]: a for a in appeals}
    # In the files' order (the order of `out` is the order ties are listed in).
    for number in [*by_appeal, *(n for n in stays_by_appeal if n not in by_appeal)]:
        evs = sorted(by_appeal.get(number, []), key=lambda e: int(e["seq"]))
        route = _route_from_stays(stays_by_appeal.get(number, [])) if stays is not None else _route_from_events(evs)
        redirects = sum(away for _, _, away in route)
        for body, month, away in route:
            c = slot(body, month)
            c["received"] += 1
            if away:
                c["redirected_away"] += 1
                if redirects >= 2:
                    c["ping_pong"] += 1
        # Extensions are the events' (filed under the month each was decided), whichever file gives the route.
        for e in evs:
            if e["kind"] == "extended" and e["to_body"]:
                slot(e["to_body"], _month(e["at"]))["extensions"] += 1
        stays_of = [(body, month) for body, month, _ in route]
        a = appeal_by_number.get(number)
        if a is None or not stays_of:
            continue
        ending = final_state.Ending(
            status=a["status"],
            outcome=a.get("outcome"),
            resolution=a.get("feedback_resolution"),
            upheld=number in upheld,
            on_time=bool(a.get("answered_on_time")),
            extended=any(e["kind"] == "extended" and e["to_body"] == a["body"] for e in evs),
            due_on=a["due_on"],
            addressed_body=a["addressed_body"],
            # Whether the applicant is on the body's staff is not published: see docs/assessment.md.
        )
        for st in final_state.stay_states(stays_of, ending):
            c = slot(st.body, st.received_on)
            if st.state == final_state.OPEN:  # at the body now responsible, under the month it received the appeal
                c["open_due"][st.due_on] = c["open_due"].get(st.due_on, 0) + 1
                continue
            if st.state == final_state.REDIRECT_PENDING:
                c["redirect_pending"][st.due_on] = c["redirect_pending"].get(st.due_on, 0) + 1
                continue
            c[final_state.field(st.state)] += 1
            c["final_timely"] += st.timely
            c["final_timely_extended"] += st.timely_extended

    complained = {a["complaint_about"] for a in appeals if a.get("complaint_about")}
    later_by_key: dict = {}
    for a in appeals:
        if a.get("applicant_alias"):
            later_by_key.setdefault((a["applicant_alias"], a["addressed_body"]), []).append(_ts(a["registered_at"]))
    for a in appeals:
        if not a.get("outcome"):
            continue
        c = slot(a["body"], _month(a["received_on"]))
        c["answered"] += 1
        c["on_time"] += 1 if a["answered_on_time"] else 0
        c[a["outcome"]] += 1
        answered_at = _ts(a["answered_at"])
        days = calendar.working_days_between(dt.date.fromisoformat(a["received_on"]), answered_at.date(), country)
        c["days_to_answer"][str(days)] = c["days_to_answer"].get(str(days), 0) + 1
        if a.get("feedback_resolution"):
            c["feedback"] += 1
            c["feedback_" + a["feedback_resolution"]] += 1
            c["rating_sum"] += int(a["feedback_rating"])
        # The applicant's next appeal to the answering body after the answer, and whether it came within the window.
        later = [t for t in later_by_key.get((a.get("applicant_alias"), a["body"]), ()) if t > answered_at]
        if a.get("applicant_alias") and final_state.is_repeat(answered_at, min(later, default=None), window):
            c["repeats"] += 1
        if a["number"] in complained:
            c["complaints"] += 1
    return out


def counts_from_export(appeals_path, events_path, stays_path=None, **kwargs) -> dict:
    """The counts of the published appeals from the export's files; without `stays_path` (exports made before
    stays.csv existed) the route is replayed from the events."""
    stays = _read(stays_path) if stays_path is not None else None
    return counts_from_rows(_read(appeals_path), _read(events_path), stays, **kwargs)


def period_counts(counts: dict, period: str) -> dict:
    """{body: counts summed over the months of `period`}."""
    months = set(scoring.months_of(period))
    out: dict = {}
    for (body, month), c in counts.items():
        if month in months:
            scoring.add_counts(out.setdefault(body, scoring.empty_counts()), c)
    return out


def ranking_from_counts(counts: dict, period: str, *, as_of: dt.date | None = None, weights=None, min_appeals=None) -> list[dict]:
    """Both methods, ranks and moves for `period`; overdue appeals counted as of `as_of` (the export's day)."""
    cfg = config.get()
    by_body = period_counts(counts, period)
    if as_of is not None:
        by_body = {b: scoring.settle(c, as_of) for b, c in by_body.items()}
    return scoring.ranking(by_body, weights or cfg["weights"], cfg["min_appeals"] if min_appeals is None else min_appeals)


# --- from the aggregated figures (all appeals) ----------------------------------------------------------------


def counts_from_figures(path) -> dict:
    """{(body_slug, month): counts} from body_month_figures.csv or .json."""
    out = {}
    for row in _read(path):
        c = scoring.empty_counts()
        for f in scoring.COUNT_FIELDS:
            c[f] = int(row[f] or 0)
        for h in scoring.HISTOGRAMS:
            c[h] = dict(row.get(h) or {})
        out[(row["body"], dt.date.fromisoformat(row["month"]))] = c
    return out


def load_export(directory, fmt: str = "csv") -> dict:
    """The export's aggregated figures: {"counts", "region_months", "regions", "as_of"}."""
    directory = Path(directory)
    package = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    return {
        "counts": counts_from_figures(directory / f"body_month_figures.{fmt}"),
        "region_months": _read(directory / f"region_month_figures.{fmt}"),
        "regions": _read(directory / f"regions.{fmt}"),
        "as_of": dt.date.fromisoformat(package["as_of"]),
    }


def body_period_counts(counts: dict, body: str, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    return scoring.settle(scoring.sum_counts(c for (b, m), c in counts.items() if b == body and start <= m < end), as_of)


def scorecard_from_counts(counts: dict, body: str, period: str, *, as_of: dt.date, weights=None, min_appeals=None) -> dict:
    """A body's scorecard (the figures of /assessment/bodies/<slug>.json) for `period`."""
    cfg = config.get()
    weights = weights or cfg["weights"]
    _, start, end = scoring.parse_period(period)
    c = body_period_counts(counts, body, start, end, as_of)
    previous_key = scoring.previous_period(period)
    _, pstart, pend = scoring.parse_period(previous_key)
    previous = body_period_counts(counts, body, pstart, pend, as_of)
    trend, m = [], scoring.add_months(end, -12)
    while m < end:
        mc = body_period_counts(counts, body, m, scoring.add_months(m, 1), as_of)
        trend.append(
            {
                "month": scoring.period_key("month", m),
                "received": mc["received"],
                "answered": mc["answered"],
                "official_score": scoring.official_score(mc),
                "ashyq_score": scoring.ashyq_score(mc, weights),
            }
        )
        m = scoring.add_months(m, 1)
    rank = next(
        (
            r
            for r in ranking_from_counts(counts, period, as_of=as_of, weights=weights, min_appeals=min_appeals)
            if r["body"] == body
        ),
        None,
    )
    return {
        "body": body,
        "period": period,
        "counts": c,
        "measures": scoring.measures(c),
        "official_score": scoring.official_score(c),
        "official_components": scoring.official_components(c),
        "ashyq_score": scoring.ashyq_score(c, weights),
        "ashyq_components": scoring.ashyq_components(c),
        "contributions": scoring.contributions(c, weights),
        "what_moved": scoring.what_moved(previous, c, weights),
        "previous_period": previous_key,
        "previous_ashyq_score": scoring.ashyq_score(previous, weights),
        "monthly": trend,
        "rank": rank,
    }


def regions_from_export(export: dict, period: str) -> list[dict]:
    """The regional table for `period`: counts and per 100,000 inhabitants (as /assessment/regions.json)."""
    months = set(scoring.months_of(period))
    sums: dict = {}
    for row in export["region_months"]:
        if dt.date.fromisoformat(row["month"]) in months:
            s = sums.setdefault(row["region"], {"registered": 0, "answered": 0, "resolved": 0})
            for k in s:
                s[k] += int(row[k])
    out = []
    for region in export["regions"]:
        s = sums.get(region["region"], {})
        population = int(region["population"]) if region.get("population") not in (None, "") else None
        out.append(
            {
                "region": region["region"],
                **scoring.region_figures(population, s.get("registered", 0), s.get("answered", 0), s.get("resolved", 0)),
            }
        )
    return scoring.order_regions(out)
