"""Pure functions from counts to measures, scores and rankings. No database, no Django.

Both the database path (figures.py, aggregate SQL) and the open-data path (recompute.py, the rows of the
public export) produce the same additive counts per body and month; everything published is computed
from those counts here, so anyone holding the counts gets the same numbers.
"""

import datetime as dt
import math
import re

from . import final_state

COUNT_FIELDS = (
    "received",
    "redirected_away",
    "ping_pong",
    "answered",
    "on_time",
    "resolved",
    "explained",
    "refused",
    "left_without_consideration",
    "extensions",
    "feedback",
    "feedback_yes",
    "feedback_partly",
    "feedback_no",
    "rating_sum",
    "repeats",
    "complaints",
    # Open data, per body and month (docs/assessment.md): the body's datasets that existed at the month's end,
    # those of them that received a valid new version in the month, and the sum of their quality scores
    # (0-100 each, the checklist of opendata/quality.py at the month's end). Dataset-months add up over a period.
    "datasets",
    "datasets_updated",
    "quality_sum",
    # Open Legal Acts, per body and the month its developer's report fell due: the published comments on its
    # drafts, and those it answered with a decision and a reason (figures.compute_legal_comment_counts).
    "legal_comments",
    "legal_comments_answered",
    # Final states (final_state.py): each stay the body received, in exactly one state; and of the stays it
    # answered (and that count for it), those answered on time without an extension, and thanks to one.
    *(final_state.field(s) for s in final_state.FINAL_STATES),
    "final_timely",
    "final_timely_extended",
)
OUTCOMES = ("resolved", "explained", "refused", "left_without_consideration")
# Histograms: {key: count}, added bucket by bucket. days_to_answer: working days from receipt to answer.
# open_due: appeals still open at the body, by their due date (ISO); those due before a day are overdue then.
# redirect_pending: stays the body ended by a redirect not judged yet, by the receiver's due date; those due
# before a day count as unjustified then (settle()).
HISTOGRAMS = ("days_to_answer", "open_due", "redirect_pending")
Z95 = 1.959963984540054


# --- counts ------------------------------------------------------------------------------------------------


def empty_counts() -> dict:
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    for h in HISTOGRAMS:
        counts[h] = {}
    return counts


def add_counts(total: dict, part: dict) -> dict:
    """Add `part` into `total` (in place) and return it. Histograms add bucket by bucket."""
    for f in COUNT_FIELDS:
        total[f] += part.get(f, 0) or 0
    for h in HISTOGRAMS:
        hist = total.setdefault(h, {})
        for key, n in (part.get(h) or {}).items():
            hist[str(key)] = hist.get(str(key), 0) + n
    return total


def sum_counts(parts) -> dict:
    total = empty_counts()
    for part in parts:
        add_counts(total, part)
    return total


def overdue(c: dict, as_of: dt.date) -> int:
    """Appeals still open whose due date is before `as_of` (overdue on that day), from the open_due histogram."""
    day = as_of.isoformat()
    return sum(n for due, n in (c.get("open_due") or {}).items() if due < day)


def _due_before(hist: dict, as_of: dt.date) -> int:
    day = as_of.isoformat()
    return sum(n for due, n in (hist or {}).items() if due < day)


def settle(c: dict, as_of: dt.date) -> dict:
    """The counts with `overdue` (and redirects whose receiver let the term pass, `redirect_late`) as of a
    day: the figures that depend on the date, not only on events. Call it before scoring; without it both
    count as 0."""
    c["overdue"] = overdue(c, as_of)
    c["redirect_late"] = _due_before(c.get("redirect_pending"), as_of)
    return c


# --- periods -----------------------------------------------------------------------------------------------

PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")


def parse_period(key: str) -> tuple[str, dt.date, dt.date]:
    """'2025' (year), '2025-Q2' (quarter) or '2025-04' (month) -> (kind, first month, month after the last)."""
    match = PERIOD.match(key or "")
    if not match:
        raise ValueError(f"not a period: {key!r}")
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        return "year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if part.startswith("Q"):
        q = int(part[1])
        start = dt.date(year, 3 * q - 2, 1)
        return "quarter", start, add_months(start, 3)
    month = int(part)
    if not 1 <= month <= 12:
        raise ValueError(f"not a period: {key!r}")
    start = dt.date(year, month, 1)
    return "month", start, add_months(start, 1)


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def period_key(kind: str, day: dt.date) -> str:
    if kind == "year":
        return f"{day.year}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def previous_period(key: str) -> str:
    kind, start, end = parse_period(key)
    step = {"year": 12, "quarter": 3, "month": 1}[kind]
    return period_key(kind, add_months(start, -step))


def months_of(key: str) -> list[dt.date]:
    _, start, end = parse_period(key)
    out, m = [], start
    while m < end:
        out.append(m)
        m = add_months(m, 1)
    return out


# --- statistics --------------------------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of k successes in n trials (95 % by default); None when n is 0."""
    if n <= 0:
        return None
    k = min(max(k, 0), n)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(hist: dict, q: float) -> int | None:
    """The nearest-rank q-quantile (0 < q <= 1) of a histogram {value: count}."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(hist, key=int):
        seen += hist[value]
        if seen >= rank:
            return int(value)
    return None


def rate(k, n) -> dict:
    """k of n as a share with its Wilson 95 % interval (None where n is 0); every published rate has this shape."""
    ci = wilson(k, n)
    return {"k": k, "n": n, "value": (k / n) if n else None, "low": ci[0] if ci else None, "high": ci[1] if ci else None}


# --- measures ----------------------------------------------------------------------------------------------


def measures(c: dict) -> dict:
    """Every published measure of one body and period, from its counts. Rates carry Wilson 95 % intervals."""
    answered, feedback, received = c["answered"], c["feedback"], c["received"]
    hist = c.get("days_to_answer") or {}
    overdue_now = c.get("overdue") or 0
    return {
        "received": received,
        "answered": answered,
        "overdue": overdue_now,
        "bounce_rate": rate(c["redirected_away"], received),
        "ping_pong_rate": rate(c["ping_pong"], received),
        # Among answers and appeals still open past their term: late or not at all is not on time.
        "on_time_rate": rate(c["on_time"], answered + overdue_now),
        "days_to_answer_median": percentile(hist, 0.5),
        "days_to_answer_p90": percentile(hist, 0.9),
        "extensions": c["extensions"],
        "outcomes": {o: rate(c[o], answered) for o in OUTCOMES},
        "resolution_confirmed": rate(c["feedback_yes"], feedback),
        "resolution_partly": rate(c["feedback_partly"], feedback),
        "satisfaction": (c["rating_sum"] / feedback) if feedback else None,
        "feedback_rate": rate(feedback, answered),
        "repeat_rate": rate(c["repeats"], answered),
        "complaint_rate": rate(c["complaints"], answered),
        # Every stay the body received, in its final state (or still open / pending), as shares of received.
        "states": {
            **{s: rate(c.get(final_state.field(s)) or 0, received) for s in final_state.FINAL_STATES},
            "open_in_term": rate(open_in_term(c), received),
            "overdue": rate(overdue_now, received),
            "redirect_pending": rate(sum((c.get("redirect_pending") or {}).values()) - (c.get("redirect_late") or 0), received),
            "redirect_late": rate(c.get("redirect_late") or 0, received),
        },
    }


def open_in_term(c: dict) -> int:
    return sum((c.get("open_due") or {}).values()) - (c.get("overdue") or 0)


def official_components(c: dict) -> dict:
    """Reconstruction of the official counting method (see docs/assessment.md): 1 to 10 per component.

    response: appeals "processed" (answered, or sent on to another body) among those received.
    timeliness: processed within the term among those processed (a redirect is within the term by law).
    uploads: the body's datasets that received a new version in the month, among its datasets (summed over
    the months of the period: dataset-months); None for a body that publishes no dataset.
    Whatever the answer says, and wherever the appeal went, it counts in full.
    """
    processed = c["answered"] + c["redirected_away"]
    datasets = c.get("datasets") or 0
    shares = {
        "response": (processed / c["received"]) if c["received"] else None,
        "timeliness": ((c["on_time"] + c["redirected_away"]) / processed) if processed else None,
        "uploads": ((c.get("datasets_updated") or 0) / datasets) if datasets else None,
    }
    return {k: (None if v is None else round(1 + 9 * min(v, 1.0), 1)) for k, v in shares.items()}


def official_score(c: dict) -> float | None:
    parts = [v for v in official_components(c).values() if v is not None]
    return round(sum(parts) / len(parts), 2) if parts else None


# What each final state is worth to the body, from 0 to 1 (docs/assessment.md explains each value). Neutral
# states (final_state.NEUTRAL) and appeals not judged yet (open in term, redirects pending) are in no share.
STATE_VALUES = {
    final_state.RESOLVED_CONFIRMED: 1.0,
    final_state.RESOLVED_UNCONFIRMED: 0.7,
    final_state.REFUSED: 0.4,
    final_state.RESOLVED_DISPUTED: 0.3,
    final_state.EXPLAINED: 0.25,
    final_state.LEFT: 0.1,
    final_state.WITHDRAWN: 0.0,
    final_state.REDIRECTED_UNJUSTIFIED: 0.0,
    "overdue": 0.0,  # open past its term as of the day
    "redirect_late": 0.0,  # redirected, and the receiver let the term pass without a decision
}


def judged(c: dict) -> dict:
    """{state: stays} of the stays that count for the body (settle() first for overdue and late redirects)."""
    out = {s: c.get(final_state.field(s)) or 0 for s in STATE_VALUES if s not in ("overdue", "redirect_late")}
    out["overdue"] = c.get("overdue") or 0
    out["redirect_late"] = c.get("redirect_late") or 0
    return out


ANSWERED_STATES = (
    final_state.RESOLVED_CONFIRMED,
    final_state.RESOLVED_UNCONFIRMED,
    final_state.RESOLVED_DISPUTED,
    final_state.EXPLAINED,
    final_state.REFUSED,
    final_state.LEFT,
)


def answered_judged(states: dict) -> int:
    return sum(states[s] for s in ANSWERED_STATES)


def ashyq_components(c: dict, state_values: dict | None = None) -> dict:
    """Each component as a share from 0 to 1 where 1 is best, over the stays judged for the body; None when
    there is nothing to measure it on."""
    values = state_values or STATE_VALUES
    states = judged(c)
    n = sum(states.values())

    def share(k):
        return min(max(k / n, 0.0), 1.0) if n else None

    return {
        # What became of the appeals: the mean value of their final states.
        "outcome": (sum(values.get(s, 0) * k for s, k in states.items()) / n) if n else None,
        # Answered on time (half when only thanks to an extension), among all judged stays: a redirect that
        # proved wrong, an overdue appeal or a withdrawal is not an answer on time.
        "timeliness": share(c.get("final_timely", 0) + 0.5 * c.get("final_timely_extended", 0)),
        # Answered and not followed by a repeat appeal / a complaint, among all judged stays: a body that
        # answers nothing earns nothing here either (it would otherwise score for the complaints it avoided).
        "no_repeat": share(max(answered_judged(states) - c["repeats"], 0)),
        "no_complaint": share(max(answered_judged(states) - c["complaints"], 0)),
        # Mean quality score (0-1) of the body's datasets over the dataset-months of the period.
        "data_quality": ((c.get("quality_sum") or 0) / (100 * c["datasets"])) if c.get("datasets") else None,
        # Share of the public's comments on the body's drafts answered with a decision and a reason, once the
        # report is due: a body that asks the public and ignores what it hears loses here.
        "legal_comments": (min(c.get("legal_comments_answered") or 0, c["legal_comments"]) / c["legal_comments"])
        if c.get("legal_comments")
        else None,
    }


def ashyq_score(c: dict, weights: dict) -> float | None:
    """Weighted mean of the available components, x 100 (0 to 100). Missing components drop out of the mean.
    No stay judged yet (none received, or all still within their term or neutral), no score; a body that
    received appeals and answered none scores at the bottom, not 'no score'."""
    if not sum(judged(c).values()):
        return None
    comps = ashyq_components(c)
    used = [(weights.get(k, 0), v) for k, v in comps.items() if v is not None and weights.get(k, 0) > 0]
    total = sum(w for w, _ in used)
    if not total:
        return None
    return round(100 * sum(w * v for w, v in used) / total, 2)


def contributions(c: dict, weights: dict) -> dict:
    """Points each component adds to the Ashyq score (they sum to the score)."""
    comps = ashyq_components(c)
    if not sum(judged(c).values()):
        return dict.fromkeys(comps)
    total = sum(weights.get(k, 0) for k, v in comps.items() if v is not None)
    return {k: (round(100 * weights.get(k, 0) * v / total, 2) if (v is not None and total) else None) for k, v in comps.items()}


def what_moved(previous: dict, current: dict, weights: dict) -> list[dict]:
    """The components that moved the Ashyq score between two periods, biggest change first."""
    before, after = contributions(previous, weights), contributions(current, weights)
    moves = []
    for k in after:
        if before[k] is None or after[k] is None:
            continue
        delta = round(after[k] - before[k], 2)
        if delta:
            moves.append(
                {"component": k, "points": delta, "before": ashyq_components(previous)[k], "after": ashyq_components(current)[k]}
            )
    return sorted(moves, key=lambda m: -abs(m["points"]))


# --- rankings ----------------------------------------------------------------------------------------------


def _ranks(rows, key) -> dict:
    """Competition ranking (1, 2, 2, 4) by descending score; ties by slug are not broken."""
    ordered = sorted((r for r in rows if r[key] is not None), key=lambda r: -r[key])
    ranks, prev_score, prev_rank = {}, None, 0
    for i, r in enumerate(ordered, start=1):
        if r[key] != prev_score:
            prev_rank, prev_score = i, r[key]
        ranks[r["body"]] = prev_rank
    return ranks


def ranking(counts_by_body: dict, weights: dict, min_appeals: int) -> list[dict]:
    """Both methods for each body, ranks among bodies with at least `min_appeals` received, and the move.

    `move` = official rank - Ashyq rank: positive when the body climbs under the Ashyq method.
    """
    rows = []
    for body, c in counts_by_body.items():
        rows.append(
            {
                "body": body,
                "received": c["received"],
                "answered": c["answered"],
                "ranked": c["received"] >= min_appeals,
                "official_score": official_score(c),
                "official_components": official_components(c),
                "ashyq_score": ashyq_score(c, weights),
                "ashyq_components": ashyq_components(c),
            }
        )
    ranked = [r for r in rows if r["ranked"]]
    official, ashyq = _ranks(ranked, "official_score"), _ranks(ranked, "ashyq_score")
    intervals = {r["body"]: score_interval(counts_by_body[r["body"]], weights) for r in ranked}
    for r in rows:
        r["official_rank"] = official.get(r["body"])
        r["ashyq_rank"] = ashyq.get(r["body"])
        r["move"] = (r["official_rank"] - r["ashyq_rank"]) if (r["official_rank"] and r["ashyq_rank"]) else None
        low, high = intervals.get(r["body"]) or (None, None)
        r["ashyq_score_low"], r["ashyq_score_high"] = low, high
        r["ashyq_rank_best"], r["ashyq_rank_worst"] = rank_interval(r["body"], intervals) if r["ashyq_rank"] else (None, None)
    return sorted(rows, key=lambda r: (not r["ranked"], r["ashyq_rank"] or 10**9, -(r["ashyq_score"] or -1), r["body"]))


def score_interval(c: dict, weights: dict) -> tuple[float, float] | None:
    """A 95 % range of the Ashyq score: every share-based component at the low (then the high) end of its
    Wilson interval over the stays judged, all at once, so the range is if anything too wide, never too
    narrow. Data quality, a mean over datasets and not a sample of appeals, stays as it is; the legal-comments
    share takes its interval over the comments."""
    n = sum(judged(c).values())
    if not n:
        return None
    comps = ashyq_components(c)
    ends = []
    for side in (0, 1):
        used = []
        for k, v in comps.items():
            w = weights.get(k, 0)
            if v is None or w <= 0:
                continue
            if k == "data_quality":
                used.append((w, v))
            elif k == "legal_comments":  # a sample of the comments, not of the appeals
                used.append((w, wilson(v * c["legal_comments"], c["legal_comments"])[side]))
            else:
                used.append((w, wilson(v * n, n)[side]))
        total = sum(w for w, _ in used)
        ends.append(round(100 * sum(w * v for w, v in used) / total, 2) if total else None)
    return ends[0], ends[1]


def rank_interval(body: str, intervals: dict) -> tuple[int, int]:
    """The best and worst rank the body's score range allows: above it only bodies whose whole range is
    higher, below it only those whose whole range is lower. Bodies whose ranges overlap are not told apart."""
    low, high = intervals[body]
    others = [v for b, v in intervals.items() if b != body and v]
    best = 1 + sum(1 for lo, _ in others if lo > high)
    worst = 1 + sum(1 for _, hi in others if hi >= low)
    return best, worst


def funnel(points: list[tuple[str, int, int]]) -> dict:
    """A funnel plot of one share across bodies, as health-care league tables draw it: (body, k, n) for each
    body; the pooled share and, for each n, the 95 % and 99.8 % control limits (normal approximation to the
    binomial around the pooled share). Each body is 'within', 'above' or 'below' the 99.8 % limits."""
    total_k, total_n = sum(k for _, k, _ in points), sum(n for _, _, n in points)
    if not total_n:
        return {"pooled": None, "bodies": [], "limits": []}
    p = total_k / total_n

    def limits(n):
        out = {}
        for name, z in (("95", Z95), ("99.8", 3.090232306167813)):
            half = z * math.sqrt(p * (1 - p) / n)
            out[name] = (max(0.0, p - half), min(1.0, p + half))
        return out

    bodies = []
    for body, k, n in points:
        if not n:
            continue
        lim = limits(n)
        share = k / n
        position = "above" if share > lim["99.8"][1] else "below" if share < lim["99.8"][0] else "within"
        bodies.append(
            {
                "body": body,
                "k": k,
                "n": n,
                "share": share,
                "position": position,
                "low_95": lim["95"][0],
                "high_95": lim["95"][1],
                "low_998": lim["99.8"][0],
                "high_998": lim["99.8"][1],
            }
        )
    top = max((b["n"] for b in bodies), default=1)
    steps = sorted({max(1, round(top * i / 40)) for i in range(1, 41)})
    return {
        "pooled": p,
        "bodies": bodies,
        "limits": [
            {"n": n, **{f"{side}_{name}": v[i] for name, v in limits(n).items() for i, side in enumerate(("low", "high"))}}
            for n in steps
        ],
    }


def resolved_share(c: dict) -> tuple[int, int]:
    """Appeals resolved (confirmed or not, and not disputed) among the stays judged: the funnel's share."""
    states = judged(c)
    return states[final_state.RESOLVED_CONFIRMED] + states[final_state.RESOLVED_UNCONFIRMED], sum(states.values())


# --- regions -----------------------------------------------------------------------------------------------


def region_figures(population: int | None, registered: int, answered: int, resolved: int) -> dict:
    """A region's published figures for a period: counts, per 100,000 inhabitants, resolved share with interval."""
    per = (100_000 * registered / population) if population else None
    return {
        "population": population,
        "registered": registered,
        "answered": answered,
        "resolved": resolved,
        "per_100k": round(per, 2) if per is not None else None,
        "resolved_share": rate(resolved, answered),
    }


def order_regions(rows: list[dict]) -> list[dict]:
    """Most appeals per 100,000 inhabitants first (a stable sort: ties keep the given order)."""
    return sorted(rows, key=lambda r: -(r["per_100k"] or 0))
