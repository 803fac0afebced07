"""The open-data path: the same counts, computed from the rows of the public export alone.

    from ashyq.assessment import recompute
    counts = recompute.counts_from_export("appeals.json", "events.json")   # or the CSV files
    recompute.ranking_from_counts(counts, "2025")

Uses only the Python standard library, the `holidays` package (Kazakhstan's working days) and the pure
functions of scoring.py, so a researcher can run it outside Ashyq. The rules are those of figures.py
(docs/assessment.md), applied row by row.
"""
import csv
import datetime as dt
import json
from pathlib import Path

from ashyq.core import calendar

from . import config, scoring

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
        for key in ("answered_on_time",):
            if key in row and row[key] is not None:
                row[key] = row[key] == "true"
        for key in ("extensions", "feedback_rating", "seq"):
            if key in row and row[key] is not None:
                row[key] = int(row[key])
    return rows


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _month(value: str) -> dt.date:
    """The local (Kazakhstan) month of an ISO date or datetime as exported."""
    return dt.date.fromisoformat(value[:10]).replace(day=1)


def counts_from_rows(appeals: list[dict], events: list[dict], *, window_days: int | None = None,
                     country: str = "KZ") -> dict:
    """{(body_slug, month): counts} from the export's appeals and events rows."""
    window = dt.timedelta(days=window_days if window_days is not None else config.get()["repeat_window_days"])
    out: dict = {}

    def slot(body, month):
        return out.setdefault((body, month), scoring.empty_counts())

    by_appeal: dict = {}
    for e in events:
        by_appeal.setdefault(e["appeal"], []).append(e)
    for evs in by_appeal.values():
        evs.sort(key=lambda e: int(e["seq"]))
        redirects = [e for e in evs if e["kind"] == "redirected"]
        for i, e in enumerate(evs):
            if e["kind"] in ("registered", "redirected") and e["to_body"]:
                c = slot(e["to_body"], _month(e["at"]))
                c["received"] += 1
                away = any(r["from_body"] == e["to_body"] and int(r["seq"]) > int(e["seq"]) for r in redirects)
                if away:
                    c["redirected_away"] += 1
                    if len(redirects) >= 2:
                        c["ping_pong"] += 1
            elif e["kind"] == "extended" and e["to_body"]:
                slot(e["to_body"], _month(e["at"]))["extensions"] += 1

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
        if a.get("applicant_alias") and any(
            answered_at < t <= answered_at + window for t in later_by_key.get((a["applicant_alias"], a["body"]), ())
        ):
            c["repeats"] += 1
        if a["number"] in complained:
            c["complaints"] += 1
    return out


def counts_from_export(appeals_path, events_path, **kwargs) -> dict:
    return counts_from_rows(_read(appeals_path), _read(events_path), **kwargs)


def period_counts(counts: dict, period: str) -> dict:
    """{body: counts summed over the months of `period`}."""
    months = set(scoring.months_of(period))
    out: dict = {}
    for (body, month), c in counts.items():
        if month in months:
            scoring.add_counts(out.setdefault(body, scoring.empty_counts()), c)
    return out


def ranking_from_counts(counts: dict, period: str, *, weights=None, min_appeals=None) -> list[dict]:
    cfg = config.get()
    return scoring.ranking(period_counts(counts, period), weights or cfg["weights"],
                           cfg["min_appeals"] if min_appeals is None else min_appeals)
