"""The published quality checklist of a dataset (after data.gouv.fr's): each item passes or not; the
score is the share that pass. The same list is shown on every dataset page and in docs/opendata.md."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from ashyq.core import clock

from .models import FREQUENCY_DAYS

OPEN_FORMATS = {"CSV", "JSON", "XLSX"}

CHECKLIST = [
    ("licence", _("An open licence is stated")),
    ("coverage", _("Temporal and spatial coverage are given")),
    ("frequency", _("The update frequency is declared")),
    ("on_time", _("Updated on time for its declared frequency")),
    ("description", _("The description says what the data is and how it was made")),
    ("open_format", _("Every resource is in an open, machine-readable format")),
    ("schema_valid", _("Every tabular resource validates against its Table Schema")),
    ("reachable", _("Every resource can be downloaded")),
    ("documentation", _("Documentation or a source is given")),
]

# The score's own wording, for the DCAT quality measurements (dcat.py).
SCORE_LABEL = _("The share of the checklist's items that pass, out of 100")

# What a publisher does to pass each item, and the field of the dataset form that does it (None: the resources).
ADVICE = {
    "licence": (_("Choose an open licence (Creative Commons or the Open Database License)."), "licence"),
    "coverage": (_("Give the first date the data covers and the countries or regions it covers."), "temporal_start"),
    "frequency": (_("Say how often the data is updated."), "frequency"),
    "on_time": (_("Upload a new version: the last one is older than the declared update frequency allows."), None),
    "description": (
        _("Write a description of at least 40 characters, in Kazakh or Russian: what the data is and how it was made."),
        "description_kk",
    ),
    "open_format": (_("Add at least one resource in CSV, XLSX or JSON."), None),
    "schema_valid": (_("Fix the problems in the validation report of each flagged resource and upload the file again."), None),
    "reachable": (
        _("Upload a file for every resource, or fix the links that do not answer (links are checked every night)."),
        None,
    ),
    "documentation": (_("Name the source of the data or give a link to its documentation."), "source"),
}


def _current_as_of(resource, as_of):
    """The newest valid version uploaded by `as_of` (versions prefetched or not)."""
    valid = [v for v in resource.versions.all() if v.served and v.created_at <= as_of]
    return max(valid, key=lambda v: v.number, default=None)


def checklist(dataset, as_of: dt.datetime | None = None) -> list[dict]:
    """The checklist now, or with "updated on time" judged at `as_of` against the versions uploaded by then
    (the assessment's month-end figures); the other items are judged on the dataset as it stands now."""
    resources = list(dataset.resources.all())
    if as_of is None:
        current = {r.pk: r.current_version for r in resources}
    else:
        current = {r.pk: _current_as_of(r, as_of) for r in resources}
    last_update = max((v.created_at for v in current.values() if v), default=None)
    days = FREQUENCY_DAYS.get(dataset.frequency)
    if dataset.frequency in ("irregular", "never"):
        on_time = last_update is not None or any(r.url for r in resources)
    elif days and last_update:
        on_time = (as_of or clock.now()) - last_update <= dt.timedelta(days=days)
    else:
        on_time = False
    passed = {
        "licence": bool(dataset.licence) and dataset.licence != "other",
        "coverage": bool(dataset.temporal_start and dataset.spatial),
        "frequency": bool(dataset.frequency),
        "on_time": on_time,
        "description": max(
            len(dataset.description_kk or ""), len(dataset.description_ru or ""), len(dataset.description_en or "")
        )
        >= 40,
        "open_format": bool(resources) and all(r.format in OPEN_FORMATS for r in resources),
        "schema_valid": bool(resources) and all(not r.flagged and (current[r.pk] or r.url) for r in resources),
        "reachable": bool(resources) and all(current[r.pk] is not None or r.link_reachable for r in resources),
        "documentation": bool(dataset.documentation_url or dataset.source),
    }
    return [{"code": code, "label": label, "passed": passed[code]} for code, label in CHECKLIST]


def score(dataset, as_of: dt.datetime | None = None) -> int:
    items = checklist(dataset, as_of)
    return round(100 * sum(i["passed"] for i in items) / len(items))


def to_fix(items: list[dict]) -> list[dict]:
    """The failing items of a checklist, each with what to do and the dataset form's field that does it."""
    return [dict(item, advice=ADVICE[item["code"]][0], field=ADVICE[item["code"]][1]) for item in items if not item["passed"]]
