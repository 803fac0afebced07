"""A Frictionless Data Package for each dataset: its file resources' current versions, each with the Table
Schema Ashyq inferred and validated the upload against, so `frictionless validate <dataset>/datapackage.json`
checks exactly what the site serves (tests/test_frictionless_conformance.py). Link resources point at files
Ashyq does not hold or check; they are listed as sources, not as resources."""

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from .dcat import LICENCES
from .models import Licence

FORMATS = {
    "CSV": ("csv", "text/csv"),
    "XLSX": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "JSON": ("json", "application/json"),
}


def _abs(path: str) -> str:
    return settings.ASHYQ_SITE_URL.rstrip("/") + path


def _relative(dataset, path: str) -> str:
    base = reverse("opendata:dataset", args=[dataset.slug])
    assert path.startswith(base)
    return path[len(base) :]


def _name(text: str, used: set) -> str:
    """A resource name as the standard allows it (lower-case letters, digits, '-', '_', '.'), unique in the package."""
    base = slugify(text)[:60].strip("-") or "resource"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}-{n}"
    used.add(name)
    return name


def dataset_package(dataset) -> dict:
    used: set = set()
    resources, sources = [], []
    for resource in dataset.resources.all():
        current = resource.current_version
        if resource.url and not current:
            sources.append({"title": resource.name, "path": resource.url})
            continue
        if not current or not current.schema.get("fields"):
            continue
        fmt, media_type = FORMATS[resource.format]
        entry = {
            "name": _name(resource.name, used),
            "title": resource.name,
            # Relative to the package's own address (…/datasets/<slug>/datapackage.json), as the standard prefers.
            "path": _relative(dataset, reverse("opendata:download", args=[dataset.slug, resource.pk, current.number])),
            "profile": "tabular-data-resource",
            "format": fmt,
            "mediatype": media_type,
            "bytes": current.size,
            "hash": f"sha256:{current.sha256}",
            "schema": {
                "fields": [
                    {k: v for k, v in field.items() if k in ("name", "type", "format")} for field in current.schema["fields"]
                ]
            },
        }
        if resource.description:
            entry["description"] = resource.description
        resources.append(entry)
    package = {
        "profile": "data-package",
        "name": _name(dataset.slug, set()),
        "title": dataset.title,
        "homepage": _abs(reverse("opendata:dataset", args=[dataset.slug])),
        "resources": resources,
    }
    if dataset.description:
        package["description"] = dataset.description
    if dataset.licence in LICENCES:
        package["licenses"] = [
            {"name": dataset.licence, "path": LICENCES[dataset.licence], "title": str(Licence(dataset.licence).label)}
        ]
    if dataset.source:
        sources.insert(0, {"title": dataset.source})
    if sources:
        package["sources"] = sources
    if dataset.tags:
        package["keywords"] = list(dataset.tags)
    return package
