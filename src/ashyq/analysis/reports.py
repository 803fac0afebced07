"""Reads behind the analysis pages and downloads: the KazISS study's four questions (why people write,
from which regions, about which sectors, and how bodies respond), answered for one body or for all bodies
over a range of months, plus the trends, the languages and a comparison between bodies.

Every figure is a sum over the monthly summary of AppealAnalysis (summary.py: counts per month, body, channel and
value of each dimension, kept with the rows), so a report reads the same few thousand rows whatever the number of
appeals; Python only shapes them. The unit of counting:

- for one body, each appeal the body held, counted in the month the body received it (registration or
  arrival by redirect), with the body's own handling (a redirect it made counts as "redirected");
- for all bodies, each appeal once, on the row of the body that holds or answered it (`final`), in the
  month that body received it.

Shares carry 95 % Wilson intervals. Below the assessment's minimum number of appeals (min_appeals) a
share is shown but not ranked: categories keep their fixed order and bodies are listed apart.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ashyq.assessment import config as assessment_config
from ashyq.assessment.scoring import add_months, rate
from ashyq.bodies.models import Body, Topic
from ashyq.core import clock
from ashyq.core.models import Region
from ashyq.dialogue.models import Channel

from . import summary
from .models import AppealAnalysis, Cause, Handling, Language, MonthlyCount

# A longer range is refused: the trend tables would have a column per month.
MAX_MONTHS = 120
DEFAULT_MONTHS = 12
UNCLASSIFIED = ""
UNCLASSIFIED_LABEL = gettext_lazy("not classified yet")


class BadFilter(ValueError):
    """A filter value the reports cannot use; the message says what is expected."""


def min_appeals() -> int:
    """Fewer appeals than this and shares are not ranked (the assessment's threshold, one setting for both)."""
    return assessment_config.get()["min_appeals"]


def month_key(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def parse_month(value: str, field: str) -> dt.date:
    """'2025-03' -> 1 March 2025; anything else is a BadFilter naming the field."""
    value = (value or "").strip()
    try:
        if len(value) != 7 or value[4] != "-":
            raise ValueError
        year, month = int(value[:4]), int(value[5:])
        return dt.date(year, month, 1)
    except ValueError:
        raise BadFilter(_("%(field)s: give a month as YYYY-MM, for example 2025-03.") % {"field": field}) from None


@dataclass(frozen=True)
class Scope:
    """Whose appeals (a body, or None for all bodies), which months, both ends included, and through which
    channel (None: every channel)."""

    body: Body | None
    first: dt.date
    last: dt.date
    channel: str | None = None

    @property
    def months(self) -> list[dt.date]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = add_months(m, 1)
        return out

    @property
    def query(self) -> str:
        """The filter as a query string, for links and downloads."""
        query = f"from={month_key(self.first)}&to={month_key(self.last)}"
        return f"{query}&channel={self.channel}" if self.channel else query

    def as_dict(self) -> dict:
        return {
            "body": self.body.slug if self.body else None,
            "from": month_key(self.first),
            "to": month_key(self.last),
            "channel": self.channel,
            "unit": "appeals held by the body" if self.body else "appeals, each once (the body holding or answering it)",
        }


def latest_month(body: Body | None = None) -> dt.date | None:
    rows = AppealAnalysis.objects.filter(body=body) if body else AppealAnalysis.objects.filter(final=True)
    return rows.aggregate(m=Max("month"))["m"]


def scope(body: Body | None, first: str | None = None, last: str | None = None, channel: str | None = None) -> Scope:
    """The scope of a request: missing ends default to the twelve months up to the latest with appeals."""
    channel = (channel or "").strip() or None
    if channel is not None and channel not in Channel.values:
        raise BadFilter(_("Channel: choose one of %(channels)s.") % {"channels": ", ".join(Channel.values)})
    end = parse_month(last, "to") if last else None
    start = parse_month(first, "from") if first else None
    if end is None:
        latest = latest_month(body) or clock.today().replace(day=1)
        end = max(latest, start) if start else latest
    if start is None:
        start = add_months(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        raise BadFilter(_("The first month comes after the last one."))
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise BadFilter(_("Choose at most %(n)s months.") % {"n": MAX_MONTHS})
    return Scope(body, start, end, channel)


def analysis_rows(s: Scope):
    """The rows a report counts (see the module's docstring)."""
    rows = _in_channel(AppealAnalysis.objects.filter(month__gte=s.first, month__lte=s.last), s)
    return rows.filter(body=s.body) if s.body else rows.filter(final=True)


def _in_channel(rows, s: Scope):
    return rows.filter(channel=s.channel) if s.channel else rows


# --- counting ----------------------------------------------------------------------------------------------------

# Each table is a sum over the monthly summary's rows of one dimension (summary.py): at most a few hundred rows per
# month whatever the number of appeals. dimension -> (the summary's dimension, whether the table is per month).
# "redirects" counts the redirects made in the months: by the body, or for all bodies by any body (rows that are
# not final, so not among the rows the other tables count). "channel" counts every row once: by its handling rows.
DIMENSIONS = {
    "cause": ("cause", False),
    "handling": ("handling", False),
    "language": ("language", False),
    "month_cause": ("cause", True),
    "month_handling": ("handling", True),
    "region": ("region", False),
    "sector": ("sector", False),
    "redirects": (summary.REDIRECT, False),
    "channel": ("handling", False),
}
COUNTS = ("n", "cause_confirmed", "sector_confirmed")
# Dimensions whose stored value is a body's or region's id (as text); "" is a redirect whose target is unknown.
ID_VALUES = frozenset({"region", summary.REDIRECT})


def _summary_rows(s: Scope, stored_dimensions):
    rows = MonthlyCount.objects.filter(
        body_id=s.body.pk if s.body else summary.ALL_BODIES,
        month__gte=s.first,
        month__lte=s.last,
        dimension__in=sorted(stored_dimensions),
    )
    return rows.filter(channel=s.channel) if s.channel else rows


def counts(s: Scope, dimensions=tuple(DIMENSIONS)) -> dict[str, dict]:
    """{dimension: {key: {"n", "cause_confirmed", "sector_confirmed"}}}, key a value or a (month, value) tuple,
    summed from the monthly summary (one indexed read of its rows in the scope's months)."""
    wanted = {name: DIMENSIONS[name] for name in dimensions}
    sums: dict[str, dict] = {name: {} for name in wanted}
    by_stored: dict[str, list[tuple[str, bool]]] = {}
    for name, (stored, monthly) in wanted.items():
        by_stored.setdefault(stored, []).append((name, monthly))
    rows = _summary_rows(s, by_stored).values_list("month", "channel", "dimension", "value", *COUNTS)
    for month, channel, stored, value, n, cause_confirmed, sector_confirmed in rows:
        if stored in ID_VALUES:
            value = int(value) if value else None
        for name, monthly in by_stored[stored]:
            key = channel if name == "channel" else ((month, value) if monthly else value)
            total = sums[name].get(key)
            if total is None:
                sums[name][key] = [n, cause_confirmed, sector_confirmed]
            else:
                total[0] += n
                total[1] += cause_confirmed
                total[2] += sector_confirmed
    return {name: {k: dict(zip(COUNTS, v)) for k, v in groups.items()} for name, groups in sums.items()}


def _groups(s: Scope, name: str, c: dict | None) -> dict:
    return (c if c is not None and name in c else counts(s, (name,)))[name]


def _ranked_order(items: list[dict], ranked: bool) -> list[dict]:
    # Most frequent first only when there are enough appeals to say so; else the fixed order stays.
    return sorted(items, key=lambda r: -r["count"]) if ranked else items


# --- the four questions ---------------------------------------------------------------------------------------


def causes(s: Scope, c: dict | None = None) -> dict:
    """Question 1: why people write. Every active cause (and any retired one that occurs), with the
    share of appeals and the share of those whose cause a person confirmed."""
    groups = _groups(s, "cause", c)
    total = sum(g["n"] for g in groups.values())
    known = {cause.slug: cause for cause in (c or {}).get("_causes") or Cause.objects.all()}
    slugs = [c.slug for c in known.values() if c.active] + sorted(k for k in groups if k and k not in known)
    slugs += [k for k in groups if k in known and k not in slugs]
    rows = []
    for slug in slugs + [UNCLASSIFIED]:
        g = groups.get(slug, {"n": 0, "cause_confirmed": 0})
        if slug == UNCLASSIFIED and not g["n"]:
            continue
        name = known[slug].name if slug in known else (str(UNCLASSIFIED_LABEL) if slug == UNCLASSIFIED else slug)
        rows.append(
            {
                "cause": slug,
                "name": name,
                "count": g["n"],
                "share": rate(g["n"], total),
                "confirmed": g["cause_confirmed"],
                "confirmed_share": rate(g["cause_confirmed"], g["n"]),
            }
        )
    ranked = total >= min_appeals()
    classified = [r for r in rows if r["cause"] != UNCLASSIFIED]
    rest = [r for r in rows if r["cause"] == UNCLASSIFIED]
    return {"total": total, "ranked": ranked, "rows": _ranked_order(classified, ranked) + rest}


def regions(s: Scope, c: dict | None = None) -> dict:
    """Question 2: which regions write, as counts and per 100,000 inhabitants (bigger regions write more
    partly because more people live there), with each population figure's date and source."""
    groups = _groups(s, "region", c)
    total = sum(g["n"] for g in groups.values())
    rows = []
    for region in Region.objects.all():
        n = groups.get(region.pk, {"n": 0})["n"]
        per = round(100_000 * n / region.population, 2) if region.population else None
        rows.append(
            {
                "region": region.iso_code,
                "name": region.name,
                "count": n,
                "share": rate(n, total),
                "population": region.population,
                "population_date": region.population_date,
                "population_source": region.population_source,
                "per_100k": per,
            }
        )
    ranked = total >= min_appeals()
    if ranked:
        rows.sort(key=lambda r: -(r["per_100k"] or 0))
    return {"total": total, "ranked": ranked, "rows": rows}


def _competent_bodies(topic_slugs) -> dict[str, list[dict]]:
    """{topic slug: [{"slug", "name", "akimat"}]} of the bodies competent for each topic, from the link table alone."""
    language = (get_language() or "en")[:2]
    name_field = f"body__name_{language}" if language in ("kk", "ru") else "body__name_en"
    out: dict[str, list[dict]] = {}
    links = Topic.bodies.through.objects.filter(topic__slug__in=list(topic_slugs)).values_list(
        "topic__slug", "body__slug", name_field, "body__name_en", "body__kind"
    )
    for topic, slug, name, name_en, kind in links:
        out.setdefault(topic, []).append({"slug": slug, "name": name or name_en, "akimat": kind == Body.Kind.AKIMAT})
    for bodies in out.values():
        bodies.sort(key=lambda b: b["name"])
    return out


def sectors(s: Scope, c: dict | None = None) -> dict:
    """Question 3: which sectors the appeals criticise, each with the bodies competent for it."""
    groups = _groups(s, "sector", c)
    total = sum(g["n"] for g in groups.values())
    slugs = [k for k in groups if k]
    topics = {t.slug: t.name for t in Topic.objects.filter(slug__in=slugs)}
    competent = _competent_bodies(slugs)
    rows = []
    for slug, g in groups.items():
        name = topics.get(slug) or (str(UNCLASSIFIED_LABEL) if slug == UNCLASSIFIED else slug)
        rows.append(
            {
                "sector": slug,
                "name": name,
                "count": g["n"],
                "share": rate(g["n"], total),
                "confirmed": g["sector_confirmed"],
                "confirmed_share": rate(g["sector_confirmed"], g["n"]),
                "bodies": competent.get(slug, []),
            }
        )
    ranked = total >= min_appeals()
    rows.sort(key=lambda r: (r["sector"] == UNCLASSIFIED, -r["count"] if ranked else 0, r["name"]))
    return {"total": total, "ranked": ranked, "rows": rows}


def handling(s: Scope, c: dict | None = None) -> dict:
    """Question 4: how the appeals were handled (answered on the merits, investigation or measures,
    redirected, refused, ...)."""
    groups = _groups(s, "handling", c)
    total = sum(g["n"] for g in groups.values())
    rows = [
        {
            "handling": h.value,
            "name": str(h.label),
            "count": groups.get(h.value, {"n": 0})["n"],
            "share": rate(groups.get(h.value, {"n": 0})["n"], total),
        }
        for h in Handling
    ]
    return {"total": total, "ranked": total >= min_appeals(), "rows": rows}


def redirects(s: Scope, c: dict | None = None) -> dict:
    """Where redirected appeals went. For one body: its redirects; for all bodies: every redirect made by
    any body in the period (one appeal redirected twice counts twice)."""
    groups = _groups(s, "redirects", c)
    total = sum(g["n"] for g in groups.values())
    targets = Body.objects.in_bulk([k for k in groups if k])
    out = []
    for body_id, g in groups.items():
        target = targets.get(body_id)
        out.append(
            {
                "body": target.slug if target else None,
                "name": target.name if target else _("unknown"),
                "count": g["n"],
                "share": rate(g["n"], total),
            }
        )
    out.sort(key=lambda r: (-r["count"], r["name"]))
    return {"total": total, "ranked": total >= min_appeals(), "rows": out}


def channels(s: Scope, c: dict | None = None) -> dict:
    """The doors the appeals came through (the Virtual Reception's apart from Open Dialogue's), every channel listed."""
    groups = _groups(s, "channel", c)
    total = sum(g["n"] for g in groups.values())
    rows = [{"channel": value, "name": str(label), "count": groups.get(value, {"n": 0})["n"]} for value, label in Channel.choices]
    for row in rows:
        row["share"] = rate(row["count"], total)
    ranked = total >= min_appeals()
    return {"total": total, "ranked": ranked, "rows": _ranked_order(rows, ranked)}


def languages(s: Scope, c: dict | None = None) -> dict:
    groups = _groups(s, "language", c)
    total = sum(g["n"] for g in groups.values())
    rows = [
        {
            "language": lang.value,
            "name": str(lang.label),
            "count": groups.get(lang.value, {"n": 0})["n"],
            "share": rate(groups.get(lang.value, {"n": 0})["n"], total),
        }
        for lang in Language
    ]
    return {"total": total, "ranked": total >= min_appeals(), "rows": rows}


def _trend(s: Scope, name: str, series: list[tuple[str, str]], c: dict | None) -> dict:
    by_month = {key: g["n"] for key, g in _groups(s, name, c).items()}
    present = {k for _, k in by_month}
    series = [(k, label) for k, label in series if k in present] + [
        (k, str(UNCLASSIFIED_LABEL) if k == UNCLASSIFIED else k) for k in sorted(present - {k for k, _ in series})
    ]
    return {
        "months": [month_key(m) for m in s.months],
        "series": [{"key": k, "name": label, "counts": [by_month.get((m, k), 0) for m in s.months]} for k, label in series],
    }


def trend_causes(s: Scope, c: dict | None = None) -> dict:
    """Appeals per month by cause (only causes that occur in the range)."""
    return _trend(s, "month_cause", [(cause.slug, cause.name) for cause in (c or {}).get("_causes") or Cause.objects.all()], c)


def trend_handling(s: Scope, c: dict | None = None) -> dict:
    """Appeals per month by handling (only kinds of handling that occur in the range)."""
    return _trend(s, "month_handling", [(h.value, str(h.label)) for h in Handling], c)


def report(s: Scope) -> dict:
    """Everything one report page shows, from one pass over the rows (counts())."""
    c = counts(s)
    c["_causes"] = list(Cause.objects.all())  # read once for the causes table and their trend
    return {
        "scope": s,
        "causes": causes(s, c),
        "regions": regions(s, c),
        "sectors": sectors(s, c),
        "handling": handling(s, c),
        "redirects": redirects(s, c),
        "languages": languages(s, c),
        "channels": channels(s, c),
        "trend_causes": trend_causes(s, c),
        "trend_handling": trend_handling(s, c),
        "min_appeals": min_appeals(),
    }


# --- bodies side by side ----------------------------------------------------------------------------------------


def comparison(s: Scope) -> dict:
    """Per body that held appeals in the months: appeals, top cause, and the shares answered on the merits,
    redirected, investigated and confirmed by a person. Bodies below min_appeals are listed apart."""
    # Per body, its cause and handling counts in the summary (some thousands of rows): the per-body shares are sums.
    rows = (
        _in_channel(MonthlyCount.objects.filter(month__gte=s.first, month__lte=s.last, dimension__in=("cause", "handling")), s)
        .exclude(body_id=summary.ALL_BODIES)
        .values_list("body_id", "dimension", "value", "n", "cause_confirmed")
    )
    sums: dict[int, dict] = {}
    by_cause: dict[int, dict[str, int]] = {}
    shares = {Handling.MERITS: "merits", Handling.REDIRECTED: "redirected", Handling.INVESTIGATION: "investigated"}
    for body_id, dimension, value, n, cause_confirmed in rows:
        total = sums.setdefault(
            body_id, {"body": body_id, "n": 0, "merits": 0, "redirected": 0, "investigated": 0, "confirmed": 0}
        )
        if dimension == "cause":
            total["n"] += n
            total["confirmed"] += cause_confirmed
            if value != UNCLASSIFIED:
                causes = by_cause.setdefault(body_id, {})
                causes[value] = causes.get(value, 0) + n
        elif value in shares:
            total[shares[value]] += n
    causes_by_body = {body_id: [(n, cause) for cause, n in causes.items()] for body_id, causes in by_cause.items()}
    per_body = list(sums.values())
    names = {c.slug: (c.position, c.name) for c in Cause.objects.all()}
    bodies = Body.objects.in_bulk([r["body"] for r in per_body])
    threshold = min_appeals()
    out = []
    for r in per_body:
        body = bodies[r["body"]]
        # Most frequent cause; a tie goes to the study's order.
        top = min(causes_by_body.get(r["body"], []), key=lambda nc: (-nc[0], names.get(nc[1], (999, ""))[0], nc[1]), default=None)
        out.append(
            {
                "body": body.slug,
                "name": body.name,
                "appeals": r["n"],
                "ranked": r["n"] >= threshold,
                "top_cause": top[1] if top else None,
                "top_cause_name": names.get(top[1], (0, top[1]))[1] if top else None,
                "top_cause_count": top[0] if top else 0,
                "merits": rate(r["merits"], r["n"]),
                "redirected": rate(r["redirected"], r["n"]),
                "investigated": rate(r["investigated"], r["n"]),
                "confirmed": rate(r["confirmed"], r["n"]),
            }
        )
    out.sort(key=lambda r: (-r["appeals"], r["name"]))
    return {
        "scope": s,
        "min_appeals": threshold,
        "rows": [r for r in out if r["ranked"]],
        "unranked": [r for r in out if not r["ranked"]],
    }
