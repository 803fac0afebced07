"""Every change to open data: permission checked, one transaction.

Only officials and heads of the publishing body, or administrators, publish. An upload that does not
read or validate is kept as a flagged, invalid version with its report; it is never loaded, and the
previous valid version stays the one served.
"""
import hashlib
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ashyq.core.roles import Role

from . import datastore, ingest, signals
from .models import Dataset, Resource, ResourceVersion

DATASET_FIELDS = {
    "title_en", "title_ru", "title_kk", "description_en", "description_ru", "description_kk", "licence",
    "temporal_start", "temporal_end", "spatial", "frequency", "tags", "source", "documentation_url",
}


def _figures_changed(body_id):
    """Tell whoever counts a body's datasets, their updates and quality (the assessment) that they changed."""
    signals.dataset_changed.send(sender=Dataset, body_id=body_id)


def can_publish(user, body) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role in (Role.OFFICIAL, Role.HEAD) and user.body_id == body.pk


def _check(actor, body):
    # actor None is the system itself (load_showcase), never a request.
    if actor is not None and not can_publish(actor, body):
        raise PermissionDenied(_("Only the officials of the publishing body may publish its data."))


@transaction.atomic
def save_dataset(actor, body, slug, **fields) -> Dataset:
    _check(actor, body)
    unknown = set(fields) - DATASET_FIELDS
    if unknown:
        raise ValidationError(f"unknown dataset fields: {sorted(unknown)}")
    dataset = Dataset.objects.select_for_update().filter(slug=slug).first()
    if dataset and dataset.body_id != body.pk:
        raise ValidationError({"slug": _("Another body already publishes a dataset with this identifier.")})
    dataset = dataset or Dataset(slug=slug, body=body)
    for name, value in fields.items():
        setattr(dataset, name, value)
    dataset.full_clean()
    _dataset_rules(dataset)
    dataset.save()
    _figures_changed(body.pk)
    return dataset


LINK_SCHEMES = ("http", "https")


def _dataset_rules(dataset):
    """What the model cannot say by itself; checked on every save, from a form, the API or a loader."""
    if dataset.temporal_start and dataset.temporal_end and dataset.temporal_end < dataset.temporal_start:
        raise ValidationError({"temporal_end": _("The end of the period covered is before its start.")})


@transaction.atomic
def create_dataset(actor, body, slug, **fields) -> Dataset:
    """A new dataset of `body`; an identifier already in use is refused (never overwritten, unlike save_dataset)."""
    _check(actor, body)
    if Dataset.objects.select_for_update().filter(slug=slug).exists():
        raise ValidationError({"slug": _("A dataset with this identifier exists already; choose another.")})
    return save_dataset(actor, body, slug, **fields)


@transaction.atomic
def update_dataset(actor, dataset, **fields) -> Dataset:
    """The description of a dataset, changed by its own body: the body is read from the locked row, not the caller's copy."""
    locked = Dataset.objects.select_for_update().select_related("body").get(pk=dataset.pk)
    _check(actor, locked.body)
    return save_dataset(actor, locked.body, locked.slug, **fields)


@transaction.atomic
def add_resource(actor, dataset, name, fmt, url="", description="") -> Resource:
    _check(actor, dataset.body)
    if url and urlsplit(url).scheme.lower() not in LINK_SCHEMES:
        raise ValidationError({"url": _("A link must start with http:// or https://.")})
    resource = Resource(dataset=dataset, name=name, format=fmt, url=url, description=description,
                        position=dataset.resources.count())
    resource.full_clean()
    resource.save()
    _figures_changed(dataset.body_id)
    return resource


def _parse(data: bytes, fmt: str):
    """Read an upload and infer its schema; validate it whole unless the database checks it while loading
    (ingest.prepare). Slow for big files, so never inside a transaction."""
    if len(data) > ingest.max_bytes():
        # Oversized files are refused before anything is stored.
        raise ValidationError(ingest.read_table(data, fmt).report[0]["message"])
    return ingest.prepare(data, fmt)


def _store_version(actor, resource, data, filename, parsed) -> ResourceVersion:
    """The version row, its file and (when valid) its datastore table; the caller holds the transaction."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    number = (resource.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ResourceVersion(
        resource=resource, number=number, original_name=filename[:255], size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor if actor is not None else None,
    )
    extension = resource.format.lower()
    version.file.save(f"{resource.pk}-v{number}.{extension}", ContentFile(data), save=False)
    version.save()
    # Loads the datastore table if the file validates; records valid, schema, report and row count either way.
    ingest.load(version, parsed)
    resource.flagged = not version.valid
    resource.save(update_fields=["flagged"])
    resource.dataset.save(update_fields=["modified_at"])
    _figures_changed(resource.dataset.body_id)
    return version


def upload_version(actor, resource, data: bytes, filename: str) -> ResourceVersion:
    """A new version of a file resource. Returns it; `version.valid` says whether it was loaded."""
    _check(actor, resource.dataset.body)
    parsed = _parse(data, resource.format)
    with transaction.atomic():
        return _store_version(actor, resource, data, filename, parsed)


def add_file_resource(actor, dataset, name, fmt, data: bytes, filename: str, description="") -> tuple[Resource, ResourceVersion]:
    """A new file resource with its first version, both or neither: a file too large leaves no empty resource behind.
    A file that does not validate is kept as the first (invalid, flagged) version, with its report."""
    _check(actor, dataset.body)
    parsed = _parse(data, fmt)
    with transaction.atomic():
        resource = add_resource(actor, dataset, name, fmt, description=description)
        return resource, _store_version(actor, resource, data, filename, parsed)


@transaction.atomic
def record_link_check(resource_id, url: str, reachable: bool, status: str, checked_at):
    """The result of checking a link (check_links, a system job: no actor). A link changed while it was being
    checked keeps its own state rather than the result for the URL it no longer has."""
    resource = Resource.objects.select_for_update().select_related("dataset").filter(pk=resource_id).first()
    if resource is None or resource.url != url:
        return None
    resource.link_reachable, resource.link_status, resource.link_checked_at = reachable, status[:200], checked_at
    resource.save(update_fields=["link_reachable", "link_status", "link_checked_at"])
    _figures_changed(resource.dataset.body_id)
    return resource


def diff_versions(old: ResourceVersion, new: ResourceVersion) -> dict:
    """Rows added, removed and changed from one valid version to another.

    Rows are matched by their first column when it is unique in both versions (an identifier); then a
    row with the same key but other values is "changed". Otherwise whole rows are compared.
    """
    old_names = [f["name"] for f in old.schema.get("fields", [])]
    new_names = [f["name"] for f in new.schema.get("fields", [])]
    a = [tuple(str(v) if v is not None else "" for v in row) for row in datastore.all_rows(old)]
    b = [tuple(str(v) if v is not None else "" for v in row) for row in datastore.all_rows(new)]
    result = {"columns_added": [n for n in new_names if n not in old_names],
              "columns_removed": [n for n in old_names if n not in new_names],
              "added": [], "removed": [], "changed": [], "key": None, "columns": new_names}
    keyed = old_names[:1] == new_names[:1] and old_names and len({r[0] for r in a}) == len(a) and len({r[0] for r in b}) == len(b)
    if keyed:
        result["key"] = new_names[0]
        old_by, new_by = {r[0]: r for r in a}, {r[0]: r for r in b}
        result["added"] = [r for k, r in new_by.items() if k not in old_by]
        result["removed"] = [r for k, r in old_by.items() if k not in new_by]
        result["changed"] = [(old_by[k], r) for k, r in new_by.items() if k in old_by and old_by[k] != r]
        return result
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    result["added"] = list((cb - ca).elements())
    result["removed"] = list((ca - cb).elements())
    return result
