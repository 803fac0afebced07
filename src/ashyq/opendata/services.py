"""Every change to open data: permission checked, one transaction.

Only officials and heads of the publishing body, or administrators, publish. An upload that does not
read or validate is kept as a flagged, invalid version with its report; it is never loaded, and the
previous valid version stays the one served.
"""
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role

from . import datastore, ingest
from .models import Dataset, Resource, ResourceVersion

DATASET_FIELDS = {
    "title_en", "title_ru", "title_kk", "description_en", "description_ru", "description_kk", "licence",
    "temporal_start", "temporal_end", "spatial", "frequency", "tags", "source", "documentation_url",
}


def _figures_changed(body_id):
    """The assessment counts a body's datasets, their updates and quality: refresh them on commit."""
    from ashyq.assessment.signals import datasets_changed

    datasets_changed(body_id)


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
    dataset.save()
    _figures_changed(body.pk)
    return dataset


@transaction.atomic
def add_resource(actor, dataset, name, fmt, url="", description="") -> Resource:
    _check(actor, dataset.body)
    resource = Resource(dataset=dataset, name=name, format=fmt, url=url, description=description,
                        position=dataset.resources.count())
    resource.full_clean()
    resource.save()
    _figures_changed(dataset.body_id)
    return resource


def upload_version(actor, resource, data: bytes, filename: str) -> ResourceVersion:
    """A new version of a file resource. Returns it; `version.valid` says whether it was loaded."""
    _check(actor, resource.dataset.body)
    if len(data) > ingest.max_bytes():
        # Oversized files are refused before anything is stored.
        raise ValidationError(ingest.read_table(data, resource.format).report[0]["message"])
    parsed = ingest.read_table(data, resource.format)
    parsed = ingest.validate(parsed)
    typed = []
    if parsed.valid:
        try:
            typed = ingest.typed_rows(parsed)
        except (TypeError, ValueError) as error:
            parsed.report.append(ingest.problem(str(error), "type-error"))
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        number = (resource.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ResourceVersion(
            resource=resource, number=number, original_name=filename[:255], size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), valid=parsed.valid, schema=parsed.schema,
            report=parsed.report, row_count=len(parsed.rows) if parsed.valid else 0,
            uploaded_by=actor if actor is not None else None,
        )
        extension = resource.format.lower()
        version.file.save(f"{resource.pk}-v{number}.{extension}", ContentFile(data), save=False)
        version.save()
        if parsed.valid:
            datastore.create_and_load(version, parsed.schema["fields"], typed)
            version.loaded = True
            version.save(update_fields=["loaded"])
        resource.flagged = not parsed.valid
        resource.save(update_fields=["flagged"])
        resource.dataset.save(update_fields=["modified_at"])
        _figures_changed(resource.dataset.body_id)
    return version


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
