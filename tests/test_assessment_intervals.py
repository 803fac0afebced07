"""Issue 11, point 4: uncertainty shown, not hidden. Rank ranges from the scores' 95 % ranges, and a funnel
plot of each body against the others with 95 % and 99.8 % control limits (SVG, table and CSV)."""

import datetime as dt
import re

from django.test import override_settings
from django.urls import reverse

from ashyq.assessment import scoring, selectors
from ashyq.assessment.config import DEFAULTS
from ashyq.assessment.models import BodyMonthFigures

WEIGHTS = DEFAULTS["weights"]
MARCH = dt.date(2025, 3, 1)


def counts(resolved, explained, n_timely=None):
    return scoring.settle(
        scoring.empty_counts()
        | {
            "received": resolved + explained,
            "answered": resolved + explained,
            "final_resolved_confirmed": resolved,
            "final_explained": explained,
            "final_timely": resolved + explained if n_timely is None else n_timely,
        },
        MARCH,
    )


def test_the_score_range_narrows_with_more_appeals_and_holds_the_score():
    few, many = counts(8, 2), counts(80, 20)
    assert scoring.ashyq_score(few, WEIGHTS) == scoring.ashyq_score(many, WEIGHTS)
    low_few, high_few = scoring.score_interval(few, WEIGHTS)
    low_many, high_many = scoring.score_interval(many, WEIGHTS)
    assert low_few < low_many <= scoring.ashyq_score(many, WEIGHTS) <= high_many < high_few


def test_bodies_whose_ranges_overlap_are_not_told_apart():
    by_body = {"a": counts(90, 10), "b": counts(88, 12), "c": counts(20, 80)}
    rows = {r["body"]: r for r in scoring.ranking(by_body, WEIGHTS, 10)}
    a, b, c = rows["a"], rows["b"], rows["c"]
    assert a["ashyq_rank"] == 1 and b["ashyq_rank"] == 2
    # a and b overlap: each could be first or second; c is clearly last.
    assert (a["ashyq_rank_best"], a["ashyq_rank_worst"]) == (1, 2) and (b["ashyq_rank_best"], b["ashyq_rank_worst"]) == (1, 2)
    assert (c["ashyq_rank_best"], c["ashyq_rank_worst"]) == (3, 3)
    assert a["ashyq_score_low"] < a["ashyq_score"] < a["ashyq_score_high"]


def test_the_funnel_flags_only_bodies_beyond_the_control_limits():
    data = scoring.funnel([("steady", 50, 100), ("small", 3, 10), ("outlier", 10, 100), ("good", 70, 100)])
    assert data["pooled"] == (50 + 3 + 10 + 70) / 310
    where = {b["body"]: b["position"] for b in data["bodies"]}
    assert where == {"steady": "within", "small": "within", "outlier": "below", "good": "above"}
    # Limits widen as the number of appeals falls.
    first, last = data["limits"][0], data["limits"][-1]
    assert first["n"] < last["n"] and first["high_99.8"] - first["low_99.8"] > last["high_99.8"] - last["low_99.8"]
    assert first["low_99.8"] <= first["low_95"] <= data["pooled"] <= first["high_95"] <= first["high_99.8"]


@override_settings(ASHYQ_ASSESSMENT={"min_appeals": 10})
def test_the_scorecard_draws_the_funnel_with_its_table_and_csv_and_the_ranking_shows_rank_ranges(bodies, client):
    for slug, resolved, explained in (
        ("ministry-of-healthcare", 45, 5),
        ("ministry-of-justice", 25, 25),
        ("ministry-of-energy", 5, 45),
        ("ministry-of-finance", 30, 20),
    ):
        BodyMonthFigures.objects.create(
            body=bodies[slug],
            month=MARCH,
            received=resolved + explained,
            answered=resolved + explained,
            final_resolved_confirmed=resolved,
            final_explained=explained,
            final_timely=resolved + explained,
        )
    page = client.get(reverse("assessment:scorecard", args=["ministry-of-energy"]) + "?period=2025-Q1")
    html = page.content.decode()
    assert page.status_code == 200 and 'aria-labelledby="funnel-title"' in html
    # Drawn twice (wide for screens, narrow for phones): in each drawing, this body alone has the larger dot.
    drawings = re.findall(r"<svg[^>]*funnel-title[^>]*>.*?</svg>", html, re.S)
    assert len(drawings) == 2 and [d.count('r="7"') for d in drawings] == [1, 1]
    assert "below the limits" in html and "above the limits" in html
    csv_text = client.get(reverse("assessment:funnel-download", args=["csv"]) + "?period=2025-Q1").content.decode()
    lines = csv_text.splitlines()
    assert lines[0] == "body,resolved,judged,share,low_95,high_95,low_99_8,high_99_8,position"
    assert any(line.startswith("ministry-of-energy,5,50,0.1,") and line.endswith(",below") for line in lines)
    data = client.get(reverse("assessment:funnel-download", args=["json"]) + "?period=2025-Q1").json()
    assert data["pooled"] == selectors.funnel("2025-Q1")["pooled"] == 105 / 200
    ranking = client.get(reverse("assessment:ranking") + "?period=2025-Q1").content.decode()
    assert "Possible ranks (95-percent range)" in ranking
    rows = {
        r["body"]: r
        for r in client.get(reverse("assessment:ranking-download", args=["json"]) + "?period=2025-Q1").json()["bodies"]
    }
    energy, healthcare = rows["ministry-of-energy"], rows["ministry-of-healthcare"]
    assert energy["ashyq_rank"] == energy["ashyq_rank_worst"] == 4 and energy["ashyq_rank_best"] > healthcare["ashyq_rank_worst"]
