"""Which Ashyq body a budget administrator is: by the curated list of codes (data/administrator_bodies.csv, for
names that differ) first, then by the name. Whatever is not matched is listed in the import's report."""

import csv
import re

from ashyq.bodies.models import Body

from .source import DATA


def normalise(name: str) -> str:
    name = re.sub(r"\s+", " ", name or "").strip().lower()
    name = re.sub(r"^(гу|государственное учреждение)\s+", "", name)
    return name.replace("ё", "е")


def curated() -> dict[str, str]:
    """Republican administrator code -> body slug, for bodies whose name in the budget differs from Ashyq's."""
    with open(DATA / "administrator_bodies.csv", encoding="utf-8") as handle:
        return {row["code"]: row["body"] for row in csv.DictReader(handle)}


def match(administrators) -> list:
    """Sets body and matched_by on each (unsaved changes); returns those left without a body."""
    bodies = list(Body.objects.all())
    by_slug = {b.slug: b for b in bodies}
    by_name = {normalise(b.name_ru): b for b in bodies}
    codes = curated()
    unmatched = []
    for admin in administrators:
        admin.body, admin.matched_by = None, ""
        if admin.scope == "republican" and codes.get(admin.code) in by_slug:
            admin.body, admin.matched_by = by_slug[codes[admin.code]], "code"
        elif normalise(admin.name_ru) in by_name:
            admin.body, admin.matched_by = by_name[normalise(admin.name_ru)], "name"
        else:
            unmatched.append(admin)
    return unmatched
