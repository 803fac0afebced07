"""The Ashyq method's weights and thresholds: configuration, not code.

Override any key with settings.ASHYQ_ASSESSMENT = {"weights": {...}, "min_appeals": 30, ...}.
The methodology page and methodology.json publish the values in force.
"""
from django.conf import settings

DEFAULTS = {
    "version": "2026.2",
    # Ashyq method: each component is a share from 0 to 1 where 1 is best; the score is their weighted mean x 100.
    # 2026.2: data_quality (0.10) joined; the others were scaled by 0.9, so a body without datasets (the
    # component then drops out) scores as under 2026.1 (up to rounding).
    "weights": {
        "resolution_confirmed": 0.27,  # the applicant says the problem was solved (yes = 1, partly = 1/2), among feedback
        "substantive": 0.18,  # answers that resolved the matter (measures taken), among answers
        "timeliness": 0.135,  # answers given by the due date, among answers
        "no_bounce": 0.135,  # 1 - share of received appeals redirected away
        "no_ping_pong": 0.045,  # 1 - share of received appeals redirected away that were redirected more than once
        "no_repeat": 0.0675,  # 1 - share of answers followed within 90 days by the same applicant writing to the body again
        "no_complaint": 0.0675,  # 1 - share of answers complained about to the higher body
        "data_quality": 0.10,  # mean quality score (0-1) of the body's open datasets at each month's end
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
