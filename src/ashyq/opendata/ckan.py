"""A CKAN-compatible Action API at /api/3/action/<name>: the reads harvesters and ckanapi scripts use.

Answers keep CKAN's envelope {"help", "success", "result"} and its error shapes
({"__type": "Not Found Error" | "Validation Error", ...} with 404 / 409), so existing clients work.
"""

import json

from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from ashyq.bodies.models import Body

from . import datastore, search, selectors
from .models import Dataset, Resource, ResourceVersion

CKAN_VERSION = "2.10.4"


class ActionError(Exception):
    def __init__(self, status, type_, **detail):
        super().__init__(type_)
        self.status, self.type, self.detail = status, type_, detail


def not_found(message="Not found"):
    return ActionError(404, "Not Found Error", message=message)


def invalid(**fields):
    return ActionError(409, "Validation Error", **{k: [v] for k, v in fields.items()})


def _iso(value):
    return value.replace(tzinfo=None).isoformat() if value else None


def _url(request, name, *args):
    return request.build_absolute_uri(reverse(name, args=args))


def organization_dict(body, count=None):
    return {
        "id": body.slug,
        "name": body.slug,
        "title": body.name_en,
        "display_name": body.name_en,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": None,
        "package_count": count if count is not None else Dataset.objects.active().filter(body=body).count(),
    }


def resource_dict(request, resource):
    current = resource.current_version  # from the versions package_search prefetched, when it did
    url = resource.url or (
        _url(request, "opendata:download", resource.dataset.slug, resource.pk, current.number) if current else ""
    )
    return {
        "id": str(resource.pk),
        "package_id": str(resource.dataset_id),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "url": url,
        "url_type": "upload" if not resource.url else None,
        "position": resource.position,
        "state": "active",
        "datastore_active": bool(current and current.loaded),
        "size": current.size if current else None,
        "hash": f"sha256:{current.sha256}" if current else "",
        "created": _iso(resource.created_at),
        "last_modified": _iso(current.created_at) if current else None,
        "mimetype": None,
        "schema": current.schema if current else None,
    }


def package_dict(request, dataset):
    from . import quality

    resources = [r for r in dataset.resources.all() if not r.withdrawal_id]
    return {
        # CKAN has one title and one description: the first language that has them (Kazakh, Russian, English),
        # and every language in the *_translated fields (as ckanext-fluent gives them).
        "id": str(dataset.pk),
        "name": dataset.slug,
        "title": dataset.localized("title", "kk"),
        "notes": dataset.localized("description", "kk"),
        "title_translated": dataset.translations("title"),
        "notes_translated": dataset.translations("description"),
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": dataset.licence,
        "license_title": dataset.get_licence_display() if dataset.licence else "",
        "owner_org": dataset.body.slug,
        "organization": organization_dict(dataset.body, count=0),
        "tags": [{"name": t, "display_name": t} for t in dataset.tags],
        "num_tags": len(dataset.tags),
        "resources": [resource_dict(request, r) for r in resources],
        "num_resources": len(resources),
        "metadata_created": _iso(dataset.created_at),
        "metadata_modified": _iso(dataset.modified_at),
        "url": dataset.documentation_url,
        "version": None,
        "extras": [
            {"key": "title_kk", "value": dataset.title_kk},
            {"key": "title_ru", "value": dataset.title_ru},
            {"key": "temporal_start", "value": str(dataset.temporal_start or "")},
            {"key": "temporal_end", "value": str(dataset.temporal_end or "")},
            {"key": "spatial", "value": dataset.spatial},
            {"key": "frequency", "value": dataset.frequency},
            {"key": "source", "value": dataset.source},
            {"key": "quality_score", "value": str(quality.score(dataset))},
        ],
    }


# No table holds more rows than this: a larger offset or limit means "all" or "none", and is clamped to it
# (SQLite refuses integers past 64 bits, and PostgreSQL's OFFSET past its bigint: either would be a 500).
LARGEST_COUNT = 2**31 - 1


def _int(params, name, default, maximum=None):
    try:
        value = int(params.get(name, default))
    except (TypeError, ValueError):
        raise invalid(**{name: "Invalid integer"}) from None
    if value < 0:
        raise invalid(**{name: "Must be a natural number"})
    return min(value, maximum or LARGEST_COUNT)


def _list(value):
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) else [parsed]
    except ValueError:
        return [v.strip() for v in str(value).split(",") if v.strip()]


def _dataset(ident):
    dataset = Dataset.objects.filter(slug=ident).first()
    if dataset is None:
        try:
            dataset = Dataset.objects.filter(pk=ident).first()
        except Exception:  # not a UUID
            dataset = None
    if dataset is None:
        raise not_found()
    if dataset.withdrawal_id:
        # What CKAN answers an anonymous reader about a deleted dataset: not authorised (403), not "not found".
        raise ActionError(403, "Authorization Error", message=f"Access denied: User  not authorized to read package {dataset.pk}")
    return dataset


def _resource(ident):
    try:
        resource = selectors.resource(ident)
    except Exception:  # not a UUID
        resource = None
    if resource is None:
        raise not_found("Resource was not found.")
    return resource


# --- actions -------------------------------------------------------------------------------------------------


def status_show(request, p):
    return {
        "ckan_version": CKAN_VERSION,
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "site_title": "Ashyq",
        "site_description": "Open data of Kazakhstan's state bodies",
        "locale_default": "kk",
        "error_emails_to": None,
        "extensions": ["datastore"],
    }


def package_list(request, p):
    names = list(Dataset.objects.active().order_by("slug").values_list("slug", flat=True))
    offset, limit = _int(p, "offset", 0), _int(p, "limit", LARGEST_COUNT)
    return names[offset : offset + limit]


SORTS = {
    "name": "slug",
    "title_string": "title_en",
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "score": None,
}


def package_search(request, p):
    organization, tags, res_format = None, [], None
    for token in str(p.get("fq", "")).replace(" AND ", " ").split():
        key, _, value = token.partition(":")
        value = value.strip('"')
        if key in ("organization", "owner_org"):
            organization = value
        elif key == "tags":
            tags.append(value)
        elif key == "res_format":
            res_format = value
        elif token.strip("+()"):
            raise ActionError(409, "Search Query Error", message=f"Search error: cannot filter on {key!r}")
    q = str(p.get("q", "")).strip()
    if q in ("*:*", "*"):
        q = ""
    qs = search.search_datasets(q, organization, tags, res_format)
    order = []
    for part in [s.strip() for s in str(p.get("sort") or "score desc, metadata_modified desc").split(",") if s.strip()]:
        field, _, direction = part.partition(" ")
        if field not in SORTS:
            raise ActionError(409, "Search Query Error", message=f"Search error: cannot sort by {field!r}")
        if SORTS[field]:
            order.append(("-" if direction.strip().lower() == "desc" else "") + SORTS[field])
    qs = qs.order_by(*order, "slug")
    rows, start = _int(p, "rows", 10, maximum=1000), _int(p, "start", 0)
    # Counts and facets are aggregated in the database over the matching ids; only the page asked for is read
    # whole, with its publishers, resources and their valid versions in three more queries.
    ids = qs.values("pk")
    facets = {field: search.facet(field, ids) for field in _list(p.get("facet.field"))}
    versions = ResourceVersion.objects.served().defer("report")
    page = list(
        qs.select_related("body").prefetch_related(
            Prefetch("resources", queryset=Resource.objects.active()), Prefetch("resources__versions", queryset=versions)
        )[start : start + rows]
    )
    return {
        "count": qs.count(),
        "sort": p.get("sort") or "score desc, metadata_modified desc",
        "results": [package_dict(request, d) for d in page],
        "facets": facets,
        "search_facets": {
            f: {"title": f, "items": [{"name": k, "display_name": k, "count": n} for k, n in counts.items()]}
            for f, counts in facets.items()
        },
    }


def package_show(request, p):
    if not p.get("id"):
        raise invalid(id="Missing value")
    return package_dict(request, _dataset(p["id"]))


def _flag(p, name) -> bool:
    """CKAN's boolean parameters: true/1 in a query string, a JSON true in a POST body."""
    return str(p.get(name, "")).lower() in ("true", "1")


ORGANIZATION_SORTS = {"name": "slug", "title": "name_en", "package_count": "n"}


def organization_list(request, p):
    """The publishing bodies: names, or with all_fields the organisation dicts (package_count counted in one query).
    sort ("name asc", "title desc", "package_count desc"), limit, offset and organizations as CKAN takes them."""
    bodies = Body.objects.filter(datasets__isnull=False, datasets__withdrawal__isnull=True).annotate(
        n=Count("datasets", distinct=True)
    )
    wanted = _list(p.get("organizations"))
    if wanted:
        bodies = bodies.filter(slug__in=[str(w) for w in wanted])
    field, _, direction = str(p.get("sort") or "name asc").strip().partition(" ")
    if field not in ORGANIZATION_SORTS:
        raise invalid(sort=f"Cannot sort by {field!r}")
    order = ("-" if direction.strip().lower() == "desc" else "") + ORGANIZATION_SORTS[field]
    offset, limit = _int(p, "offset", 0), _int(p, "limit", 1000, maximum=1000)
    bodies = bodies.order_by(order, "slug")[offset : offset + limit]
    if _flag(p, "all_fields"):
        return [organization_dict(b, count=b.n) for b in bodies]
    return [b.slug for b in bodies]


def tag_list(request, p):
    """Every tag of the catalogue, sorted; `query` keeps those containing it; all_fields gives CKAN's tag dicts."""
    tags = search.all_tags(str(p.get("query") or p.get("q") or ""))
    if _flag(p, "all_fields"):
        return [{"id": t, "name": t, "display_name": t, "vocabulary_id": None} for t in tags]
    return tags


def group_list(request, p):
    """Ashyq has no CKAN groups (datasets belong to their publisher only): an empty list, as CKAN gives without groups."""
    return []


def organization_show(request, p):
    if not p.get("id"):
        raise invalid(id="Missing value")
    body = Body.objects.filter(slug=p["id"]).first()
    if body is None:
        raise not_found()
    result = organization_dict(body)
    if str(p.get("include_datasets", "")).lower() in ("true", "1"):
        result["packages"] = [package_dict(request, d) for d in selectors.datasets().filter(body=body)]
    return result


def resource_show(request, p):
    if not p.get("id"):
        raise invalid(id="Missing value")
    return resource_dict(request, _resource(p["id"]))


def _text_query(p):
    """datastore_search's q and full_text as datastore.search takes them: q a string (every field) or a JSON object
    {field: string} (given as such or as its JSON text, as CKAN reads it), full_text a string for every field.

    Matching is by characters (datastore.py), so CKAN's `language` (a stemmer's name) changes nothing and is
    accepted as CKAN clients send it; `plain=false` (PostgreSQL's tsquery syntax) is refused with a clear error
    rather than read as text it is not."""
    if str(p.get("plain", "true")).lower() in ("false", "0", "no", "off"):
        raise invalid(plain="Only plain text queries are supported: q matches the rows whose cells contain it.")
    q = p.get("q")
    if isinstance(q, str) and q.lstrip().startswith("{"):
        try:
            q = json.loads(q)
        except ValueError:
            pass  # a string that only looks like an object: searched as it is
    full_text = p.get("full_text")
    for name, value in (("q", q), ("full_text", full_text)):
        if isinstance(value, (list, bool)) or (name == "full_text" and isinstance(value, dict)):
            raise invalid(**{name: "Must be a string" + (" or an object {field: string}" if name == "q" else "")})
    return [part if isinstance(part, dict) else str(part) for part in (q, full_text) if part not in (None, "", {})]


def datastore_search(request, p):
    if not p.get("resource_id"):
        raise invalid(resource_id="Missing value")
    resource = _resource(p["resource_id"])
    version = resource.current_version
    if version is None or not version.loaded:
        raise not_found(f'Resource "{resource.pk}" was not found.')
    filters = p.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise invalid(filters=["Cannot parse JSON"]) from None
    if not isinstance(filters, dict):
        raise invalid(filters="Not a JSON object")
    limit, offset = _int(p, "limit", 100, maximum=32000), _int(p, "offset", 0)
    include_total = str(p.get("include_total", "true")).lower() not in ("false", "0")
    # CKAN's parameter: above this many matches (PostgreSQL's estimate) the total is that estimate, not a count.
    # Absent: the site's setting; null: always count.
    threshold = -1
    if "total_estimation_threshold" in p:
        raw = p["total_estimation_threshold"]
        threshold = None if raw in (None, "", "null", "None") else _int(p, "total_estimation_threshold", 0)
    q = _text_query(p)
    try:
        records, total, names = datastore.search(
            version,
            filters=filters,
            q=q,
            fields=_list(p.get("fields")),
            sort=str(p.get("sort") or ""),
            limit=limit,
            offset=offset,
            include_total=include_total,
            estimate_over=threshold,
        )
    except datastore.QueryError as error:
        raise invalid(query=str(error)) from None
    types = {f["name"]: datastore.CKAN_TYPES.get(f["type"], "text") for f in version.schema["fields"]}
    types["_id"] = "int"
    base = reverse("ckan-action", args=["datastore_search"])
    result = {
        "resource_id": str(resource.pk),
        "fields": [{"id": n, "type": types[n]} for n in names],
        "records": records,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "_links": {
            "start": f"{base}?resource_id={resource.pk}",
            "next": f"{base}?resource_id={resource.pk}&offset={offset + limit}",
        },
    }
    if include_total:
        result["total"] = int(total)
        result["total_was_estimated"] = total.estimated
    return result


ACTIONS = {
    f.__name__: f
    for f in (
        status_show,
        package_list,
        package_search,
        package_show,
        organization_list,
        organization_show,
        resource_show,
        datastore_search,
        tag_list,
        group_list,
    )
}


def error_response(request, status, detail, errors=None):
    """CKAN's error shape for errors met before or around an action (core/input_guard.py)."""
    kind = {400: "Bad request", 404: "Not Found Error", 403: "Authorization Error"}.get(status, "Error")
    error = {"__type": kind, "message": detail, **(errors or {})}
    return JsonResponse(
        {"help": None, "success": False, "error": error}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@csrf_exempt  # read-only actions without a session: nothing for a forged request to change
def action(request, name):
    help_url = request.build_absolute_uri(reverse("ckan-action", args=["help_show"])) + f"?name={name}"
    if name not in ACTIONS:
        return JsonResponse(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": "Bad request", "message": f"Bad request - Action name not known: {name}"},
            },
            status=400,
        )
    params = request.GET.dict()
    if request.method == "POST" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            return JsonResponse(
                {
                    "help": help_url,
                    "success": False,
                    "error": {"__type": "Bad request", "message": "Bad request - JSON Error: could not parse the body"},
                },
                status=400,
            )
        if not isinstance(body, dict):
            return JsonResponse(
                {
                    "help": help_url,
                    "success": False,
                    "error": {"__type": "Bad request", "message": "Bad request - JSON Error: not a JSON object"},
                },
                status=400,
            )
        params.update(body)
    try:
        result = ACTIONS[name](request, params)
    except ActionError as error:
        return JsonResponse(
            {"help": help_url, "success": False, "error": {"__type": error.type, **error.detail}}, status=error.status
        )
    return JsonResponse({"help": help_url, "success": True, "result": result}, json_dumps_params={"ensure_ascii": False})
