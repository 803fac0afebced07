"""The Ashyq method's weights and thresholds: configuration, not code.

Override any key with settings.ASHYQ_ASSESSMENT = {"weights": {...}, "min_appeals": 30, ...}.
The methodology page and methodology.json publish the values in force.
"""

from django.conf import settings

DEFAULTS = {
    "version": "2026.4",
    # Ashyq method: each component is a share from 0 to 1 where 1 is best; the score is their weighted mean x 100.
    # 2026.3: every component is a share of the appeals the body received (final_state.py), each counted once
    # for what became of it; redirects are judged by what followed. Until 2026.2 resolution and timeliness
    # were shares among answers and feedback, so a body that redirected 38 appeals of 40 and resolved 2 ranked
    # second (docs/assessment.md, "Why the states").
    "weights": {
        "outcome": 0.55,  # the mean value of the final states of the appeals the body received (scoring.STATE_VALUES)
        "timeliness": 0.20,  # answered on time without an extension (half with one), among those appeals
        "no_repeat": 0.075,  # answered and not followed within 90 days by the same applicant writing again, among those appeals
        "no_complaint": 0.075,  # answered and not complained about to the higher body, among those appeals
        # 2026.4: the body's work in the open beyond appeals keeps its 0.10, now shared by its datasets and its
        # answers to the public's comments on its drafts (Open Legal Acts).
        "data_quality": 0.05,  # mean quality score (0-1) of the body's open datasets at each month's end
        "legal_comments": 0.05,  # published comments on its drafts answered with a decision and a reason, once due
    },
    # Bodies with fewer appeals received in the period are shown, but not ranked.
    "min_appeals": 30,
    "repeat_window_days": 90,
    # A body's score is "falling" on the monitors' dashboard when it drops by at least this many points.
    "falling_points": 10.0,
    "calendar_country": "KZ",
}


def get() -> dict:
    override = getattr(settings, "ASHYQ_ASSESSMENT", {}) or {}
    merged = {**DEFAULTS, **{k: v for k, v in override.items() if k != "weights"}}
    merged["weights"] = {**DEFAULTS["weights"], **override.get("weights", {})}
    return merged
