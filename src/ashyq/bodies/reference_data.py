"""Loads Kazakhstan's reference data: the 20 administrative units, competence topics and state bodies.

The CSV files beside this module carry their sources (data/SOURCES.md). Loading is idempotent:
rows are matched by their stable key (ISO code, slug) and updated in place, so an operator can
re-run it after an upgrade without touching appeals that point at the rows.
"""

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from ashyq.core.models import Region

from .models import Body, Topic

CORE_DATA = Path(__file__).resolve().parent.parent / "core" / "data"
BODIES_DATA = Path(__file__).resolve().parent / "data"

# Where complaints about a body's answers go when the source data names no parent:
# ministries and akimats answer to the Government; agencies report directly to the President.
SUPERIOR_BY_KIND = {"ministry": "government", "akimat": "government", "agency": "presidential-administration"}
AKIMAT_TOPICS = ["local-services", "housing", "utilities", "roads-transport", "education", "water", "agriculture", "labour"]


def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    """Create or update regions, topics and bodies. Returns how many of each are loaded."""
    for row in _rows(CORE_DATA / "kz-regions.csv"):
        Region.objects.update_or_create(
            iso_code=row["iso_code"],
            defaults={
                "kind": row["kind"],
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "name_kk": row["name_kk"],
                "center_en": row["center_en"],
                "population": int(row["population"]) if row["population"] else None,
                "population_date": dt.date.fromisoformat(row["population_date"]) if row["population_date"] else None,
                "population_source": row["population_source"],
            },
        )
    topics = {}
    for row in _rows(BODIES_DATA / "topics.csv"):
        topics[row["slug"]], _ = Topic.objects.update_or_create(
            slug=row["slug"], defaults={k: row[k] for k in ("name_en", "name_ru", "name_kk")}
        )

    central = list(_rows(BODIES_DATA / "kz-central-bodies.csv"))
    # Heads' titles in Russian and Kazakh, written for Ashyq from the bodies' official names.
    titles = {row["slug"]: row for row in _rows(BODIES_DATA / "central-head-titles.csv")}
    for row in central:
        Body.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "kind": row["kind"],
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "name_kk": row["name_kk"],
                "head_title_en": row["head_title_en"],
                "head_title_ru": titles.get(row["slug"], {}).get("head_title_ru", ""),
                "head_title_kk": titles.get(row["slug"], {}).get("head_title_kk", ""),
                "source": row["source"],
                "region": None,
            },
        )
    regions = {r.iso_code: r for r in Region.objects.all()}
    for row in _rows(BODIES_DATA / "kz-akimats.csv"):
        body, _ = Body.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "kind": Body.Kind.AKIMAT,
                "region": regions[row["region_iso"]],
                **{k: row[k] for k in ("name_en", "name_ru", "name_kk", "head_title_en", "head_title_ru", "head_title_kk")},
            },
        )
        body.topics.set([topics[t] for t in AKIMAT_TOPICS])

    bodies = {b.slug: b for b in Body.objects.all()}
    for row in central:
        body = bodies[row["slug"]]
        superior = row["parent_slug"] or SUPERIOR_BY_KIND.get(row["kind"])
        body.parent = bodies[superior] if superior else None
        body.save(update_fields=["parent"])
    for body in bodies.values():
        if body.kind == Body.Kind.AKIMAT:
            body.parent = bodies["government"]
            body.save(update_fields=["parent"])
    for row in _rows(BODIES_DATA / "body-topics.csv"):
        bodies[row["slug"]].topics.set([topics[t] for t in row["topics"].split()])
    return {"regions": Region.objects.count(), "topics": Topic.objects.count(), "bodies": Body.objects.count()}
