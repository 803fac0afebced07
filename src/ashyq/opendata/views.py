"""Open data pages for everyone: catalogue, dataset, resource preview, downloads, diffs, DCAT, the sitemap.
(The publishers' pages are publish_views.py.)"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from ashyq.core import pagecache

from . import datastore, fields, quality, selectors, services
from .models import Dataset, Resource, ResourceVersion, Withdrawal

PAGE = 50


@pagecache.public_page(pagecache.DATA)
def catalogue(request):
    q = request.GET.get("q", "").strip()
    organization = request.GET.get("organization") or None
    tag = request.GET.get("tag") or None
    datasets = selectors.search_datasets(q, organization, [tag] if tag else [])
    return render(
        request,
        "opendata/catalogue.html",
        {"datasets": datasets, "q": q, "publishes": selectors.publisher_bodies(request.user).exists()},
    )


@pagecache.public_page(pagecache.DATA)
def dataset_page(request, slug):
    dataset = selectors.dataset_page(slug)
    if dataset is None:
        raise Http404
    staff = services.can_publish(request.user, dataset.body)
    history = _history(dataset, staff)
    if dataset.withdrawal_id:
        # A tombstone: links and citations lead somewhere that says what happened, never to the data.
        return render(
            request,
            "opendata/dataset_withdrawn.html",
            {
                "dataset": dataset,
                "withdrawal": dataset.withdrawal,
                "note": dataset.withdrawal.note if dataset.withdrawal.note_is_public or staff else "",
                "history": history,
                "staff": staff,
            },
        )
    public = selectors.datasets().get(pk=dataset.pk)  # its resources not withdrawn, read once for the page and quality
    resources = []
    for r in public.resources.all():
        versions = list(r.versions.filter(valid=True).select_related("withdrawal"))  # newest first
        served = [v for v in versions if v.served]
        current = served[0] if served else None
        # Each served version with the served one before it (what "Changes" compares); a withdrawn one with why.
        rows = [(v, next((p for p in served if p.number < v.number), None) if v.served else None) for v in versions]
        resources.append((r, current, rows, fields.columns(current.schema) if current else []))
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "resources": resources,
            "history": history,
            "checklist": quality.checklist(public),
            "score": quality.score(public),
            "can_publish": staff,
            "staff": staff,
        },
    )


def _history(dataset, staff: bool) -> list[dict]:
    """The dataset's public history, newest first: each version published (withdrawn ones too) and each withdrawal
    with its reason; a withdrawal's note only where it may be public (not for personal data) or to the body's staff."""
    entries = [
        {"at": v.created_at, "kind": "version", "version": v, "resource": v.resource}
        for v in ResourceVersion.objects.filter(resource__dataset=dataset, valid=True).select_related("resource")
    ]
    for w in Withdrawal.objects.filter(dataset=dataset).select_related("resource", "version"):
        entries.append(
            {"at": w.withdrawn_at, "kind": "withdrawal", "withdrawal": w, "note": w.note if (w.note_is_public or staff) else ""}
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


def gone(request, withdrawal, dataset):
    """410 Gone: what was asked for was withdrawn; when and why, and the dataset's page (which may be a tombstone)."""
    return render(request, "opendata/gone.html", {"withdrawal": withdrawal, "dataset": dataset}, status=410)


def _withdrawal_of(dataset, resource=None, version=None):
    """The withdrawal that took this away, the narrowest first, or None."""
    for each in (version, resource, dataset):
        if each is not None and each.withdrawal_id:
            return each.withdrawal
    return None


@pagecache.public_page(pagecache.DATA)
def resource_page(request, slug, pk):
    resource = get_object_or_404(Resource.objects.select_related("dataset", "withdrawal"), pk=_uuid(pk), dataset__slug=slug)
    withdrawal = _withdrawal_of(resource.dataset, resource)
    if withdrawal is not None:
        return gone(request, withdrawal, resource.dataset)
    version = resource.current_version
    if version is None or not version.loaded:
        raise Http404
    names = [f["name"] for f in version.schema["fields"]]
    column, value = request.GET.get("column", ""), request.GET.get("value", "")
    sort, direction = request.GET.get("sort", ""), request.GET.get("dir", "asc")
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    filters = {column: value} if column in names and value else {}
    order = f"{sort} {'desc' if direction == 'desc' else 'asc'}" if sort in names else ""
    try:
        records, total, _fields = datastore.search(
            version, filters=filters, q=request.GET.get("q", ""), sort=order, limit=PAGE, offset=offset
        )
    except datastore.QueryError:
        records, total = [], 0
    rows = [[r[n] for n in names] for r in records]
    return render(
        request,
        "opendata/resource.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "version": version,
            "names": names,
            "columns": fields.columns(version.schema),
            "rows": rows,
            "total": total,
            "offset": offset,
            "next": offset + PAGE if offset + PAGE < total else None,
            "column": column,
            "value": value,
            "sort": sort,
            "dir": direction,
            "q": request.GET.get("q", ""),
        },
    )


def download(request, slug, pk, version_number):
    number = version_number
    version = get_object_or_404(
        ResourceVersion.objects.select_related("resource__dataset__withdrawal", "resource__withdrawal", "withdrawal"),
        resource__pk=_uuid(pk),
        resource__dataset__slug=slug,
        number=number,
        valid=True,
    )
    resource = version.resource
    withdrawal = _withdrawal_of(resource.dataset, resource, version)
    if withdrawal is not None:
        return gone(request, withdrawal, resource.dataset)
    name = f"{slug}-{resource.name}-v{number}.{resource.format.lower()}".replace("/", "-")
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=name)


@pagecache.public_page(pagecache.DATA)
def diff_page(request, slug, pk):
    resource = get_object_or_404(Resource.objects.active(), pk=_uuid(pk), dataset__slug=slug, dataset__withdrawal__isnull=True)
    versions = resource.versions.served()
    try:
        old = versions.get(number=int(request.GET.get("from", 0)))
        new = versions.get(number=int(request.GET.get("to", 0)))
    except (ValueError, ResourceVersion.DoesNotExist):
        raise Http404 from None
    return render(
        request,
        "opendata/diff.html",
        {"resource": resource, "dataset": resource.dataset, "old": old, "new": new, "diff": services.diff_versions(old, new)},
    )


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


RDF_SYNTAXES = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def _profile(request) -> str:
    """DCAT-AP 3 unless ?profile=2 asks for DCAT-AP 2's typing (dcat.py); anything else is refused, not guessed."""
    from django.core.exceptions import BadRequest

    from .dcat import PROFILES

    profile = request.GET.get("profile", "3")
    if profile not in PROFILES:
        raise BadRequest("profile must be 3 or 2")
    return profile


def _rdf(graph, fmt):
    from django.http import HttpResponse

    from .dcat import FORMATS

    syntax = RDF_SYNTAXES[fmt]
    return HttpResponse(graph.serialize(format=syntax, encoding="utf-8"), content_type=FORMATS[syntax])


@pagecache.public_page(pagecache.DATA)
def dcat_catalog(request, fmt):
    from .dcat import catalog_graph

    return _rdf(catalog_graph(_profile(request)), fmt)


@pagecache.public_page(pagecache.DATA)
def dcat_dataset(request, slug, fmt):
    from .dcat import dataset_graph

    withdrawn = _gone_if_withdrawn(request, slug)
    if withdrawn is not None:
        return withdrawn
    return _rdf(dataset_graph(get_object_or_404(selectors.datasets(), slug=slug), _profile(request)), fmt)


@pagecache.public_page(pagecache.DATA)
def dataset_datapackage(request, slug):
    """The dataset as a Frictionless Data Package (datapackage.py), for `frictionless validate` and data pipelines."""
    from django.http import JsonResponse

    from .datapackage import dataset_package

    withdrawn = _gone_if_withdrawn(request, slug)
    if withdrawn is not None:
        return withdrawn
    response = JsonResponse(
        dataset_package(get_object_or_404(selectors.datasets(), slug=slug)),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _gone_if_withdrawn(request, slug):
    """410 Gone for a machine-readable description of a withdrawn dataset (None when it is not withdrawn)."""
    withdrawn = Dataset.objects.select_related("withdrawal").filter(slug=slug, withdrawal__isnull=False).first()
    return gone(request, withdrawn.withdrawal, withdrawn) if withdrawn is not None else None


def sitemap(request):
    """Every public open-data page and download, and the main pages, for search engines."""
    from django.http import HttpResponse
    from django.urls import reverse
    from django.utils.html import escape

    from ashyq.core import registry

    from .showcase import countries

    paths = [
        reverse("home"),
        reverse("bodies"),
        reverse("opendata:catalogue"),
        reverse("opendata:silk-road"),
        reverse("opendata:compare"),
    ]
    paths += [reverse("opendata:country", args=[slug]) for slug in sorted(countries())]
    paths += registry.sitemap_paths()  # pages other apps list (core/registry.py)
    for dataset in selectors.datasets():
        paths.append(reverse("opendata:dataset", args=[dataset.slug]))
        for resource in dataset.resources.all():
            for version in resource.versions.served():
                paths.append(reverse("opendata:download", args=[dataset.slug, resource.pk, version.number]))
    base = request.build_absolute_uri("/").rstrip("/")
    urls = "".join(f"<url><loc>{escape(base + p)}</loc></url>" for p in paths)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    return HttpResponse(xml, content_type="application/xml")
