"""Every change to open data: permission checked, one transaction.

Only officials and heads of the publishing body, or administrators, publish. An upload that does not
read or validate is kept as a flagged, invalid version with its report; it is never loaded, and the
previous valid version stays the one served.

They, and only they, withdraw (`withdraw`): a whole dataset, one resource or one version, with a reason, in one
transaction with its event (`Withdrawal`). Nothing withdrawn is served again, and nothing is added to it.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ashyq.core import clock
from ashyq.core.errors import Conflict
from ashyq.core.roles import Role

from . import datastore, ingest, limits, signals
from .models import Dataset, Resource, ResourceVersion, UploadJob, Withdrawal

log = logging.getLogger(__name__)

DATASET_FIELDS = {
    "title_en",
    "title_ru",
    "title_kk",
    "description_en",
    "description_ru",
    "description_kk",
    "licence",
    "temporal_start",
    "temporal_end",
    "spatial",
    "frequency",
    "tags",
    "source",
    "documentation_url",
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


def _not_withdrawn(dataset, resource=None):
    """Nothing is added to what was withdrawn: no new description, resource or version."""
    if dataset.withdrawal_id:
        raise Conflict(_("This dataset was withdrawn; nothing can be added to it. Publish a new dataset instead."))
    if resource is not None and resource.withdrawal_id:
        raise Conflict(_("This resource was withdrawn; nothing can be added to it. Add a new resource instead."))


@transaction.atomic
def save_dataset(actor, body, slug, **fields) -> Dataset:
    _check(actor, body)
    unknown = set(fields) - DATASET_FIELDS
    if unknown:
        raise ValidationError(f"unknown dataset fields: {sorted(unknown)}")
    dataset = Dataset.objects.select_for_update().filter(slug=slug).first()
    if dataset and dataset.body_id != body.pk:
        raise ValidationError({"slug": _("Another body already publishes a dataset with this identifier.")})
    if dataset is not None:
        _not_withdrawn(dataset)
    dataset = dataset or Dataset(slug=slug, body=body)
    for name, value in fields.items():
        setattr(dataset, name, value)
    dataset.full_clean()
    _dataset_rules(dataset)
    dataset.save()
    _figures_changed(body.pk)
    return dataset


LINK_SCHEMES = ("http", "https")
# Characters no URL may hold as written (RFC 3986); browsers and RDF syntaxes read them as the end of the link.
LINK_FORBIDDEN = set('"<>\\^`{|}')


def check_link(url: str, field: str):
    """A link to another site: http(s), with a host, and nothing that would end it early in a page, a feed or the
    DCAT catalogue (quotes, angle brackets, spaces, control characters). Letters of any script are fine."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # an unclosed [IPv6] address
        scheme, host = "http", None
    if scheme not in LINK_SCHEMES:
        raise ValidationError({field: _("A link must start with http:// or https://.")})
    if not host or any(ch in LINK_FORBIDDEN or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValidationError(
            {
                field: _(
                    "This link holds characters a web address cannot contain (spaces, quotes, < or >); "
                    "copy it again from the browser's address bar."
                )
            }
        )


def _dataset_rules(dataset):
    """What the model cannot say by itself; checked on every save, from a form, the API or a loader."""
    check_link(dataset.documentation_url, "documentation_url")
    if not (dataset.title_kk.strip() or dataset.title_ru.strip()):
        # Readers in Kazakhstan read Kazakh or Russian; English is welcome but never the only title.
        raise ValidationError({"title_kk": _("Give the title in Kazakh or in Russian (or both); English is optional.")})
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
    _not_withdrawn(Dataset.objects.select_for_update().get(pk=dataset.pk))
    check_link(url, "url")
    resource = Resource(
        dataset=dataset, name=name, format=fmt, url=url, description=description, position=dataset.resources.count()
    )
    resource.full_clean()
    resource.save()
    _figures_changed(dataset.body_id)
    return resource


def _parse(data: bytes, fmt: str, expected: dict | None = None):
    """Read an upload and infer its schema; validate it whole unless the database checks it while loading
    (ingest.prepare). Slow for big files, so never inside a transaction."""
    if len(data) > ingest.max_bytes():
        # Oversized files are refused before anything is stored.
        raise ValidationError(ingest.read_table(data, fmt).report[0]["message"])
    return ingest.prepare(data, fmt, expected)


def _expected_schema(resource, new_schema: bool) -> dict | None:
    """The schema a new version must keep: the served version's, unless the publisher confirmed a new structure."""
    if new_schema:
        return None
    current = resource.current_version
    return current.schema if current is not None else None


def in_background(size: int) -> bool:
    """Whether an upload of this size is validated by the worker (with a progress page) rather than in the request."""
    from django.conf import settings

    return size > settings.ASHYQ_OPENDATA_BACKGROUND_BYTES


def _store_version(actor, resource, data, filename, parsed) -> ResourceVersion:
    """The version row, its file and (when valid) its datastore table; the caller holds the transaction."""
    resource = Resource.objects.select_for_update(of=("self",)).select_related("dataset").get(pk=resource.pk)
    _not_withdrawn(resource.dataset, resource)
    number = (resource.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ResourceVersion(
        resource=resource,
        number=number,
        original_name=filename[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor if actor is not None else None,
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


def upload_version(actor, resource, data: bytes, filename: str, new_schema: bool = False) -> ResourceVersion:
    """A new version of a file resource. Returns it; `version.valid` says whether it was loaded. A column the served
    version has keeps its type: a cell that does not fit it makes the version invalid, with its row and column,
    unless `new_schema` (the publisher confirmed that the structure changes)."""
    _check(actor, resource.dataset.body)
    parsed = _parse(data, resource.format, _expected_schema(resource, new_schema))
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


def _queue(actor, resource, data: bytes, filename: str, new_schema: bool = False) -> UploadJob:
    """The job row with its file, and its task, in the caller's transaction (the task row commits with it)."""
    from .tasks import validate_upload

    job = UploadJob(resource=resource, original_name=filename[:255], size=len(data), uploaded_by=actor, new_schema=new_schema)
    job.file.save(f"{resource.pk}-{job.pk}.{resource.format.lower()}", ContentFile(data), save=False)
    job.save()
    validate_upload.enqueue(job_id=str(job.pk))
    return job


def _refuse_early(data: bytes, fmt: str):
    """What can be refused before queueing, in the request: the size and the shape (limits.check, no parsing)."""
    if len(data) > ingest.max_bytes():
        raise ValidationError(ingest.read_table(data, fmt).report[0]["message"])
    limits.check(data, fmt)


def queue_upload(actor, resource, data: bytes, filename: str, new_schema: bool = False) -> UploadJob:
    """A new version of a file resource, to be validated by the background worker; follow it with the job."""
    _check(actor, resource.dataset.body)
    _not_withdrawn(resource.dataset, resource)
    _refuse_early(data, resource.format)
    with transaction.atomic():
        return _queue(actor, resource, data, filename, new_schema)


def queue_file_resource(actor, dataset, name, fmt, data: bytes, filename: str, description="") -> tuple[Resource, UploadJob]:
    """A new file resource whose first version the worker validates: the resource exists at once (its page says
    a file is being checked), the version follows."""
    _check(actor, dataset.body)
    _refuse_early(data, fmt)
    with transaction.atomic():
        resource = add_resource(actor, dataset, name, fmt, description=description)
        return resource, _queue(actor, resource, data, filename)


def _job_progress(job_id):
    def record(rows: int):
        UploadJob.objects.filter(pk=job_id).update(rows_read=rows)

    return record


def _finish(job_id, state, message="", version=None):
    job = UploadJob.objects.select_for_update().get(pk=job_id)
    storage, name = job.file.storage, job.file.name
    job.state, job.message, job.version, job.finished_at, job.file = state, message, version, timezone.now(), ""
    job.save(update_fields=["state", "message", "version", "finished_at", "file"])
    if name:
        # The version keeps its own copy and a refused file is not kept: the pending one goes once this commits.
        transaction.on_commit(lambda: storage.delete(name))
    return job


def run_upload_job(job_id) -> str:
    """Validate and load a queued upload (the worker's task). Idempotent: a finished job is left as it is, and the
    version is stored in the same transaction that marks the job done, so a second run never makes a second one."""
    job = UploadJob.objects.select_related("resource__dataset__body", "uploaded_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return job.state if job else "missing"
    UploadJob.objects.filter(pk=job.pk).update(state=UploadJob.State.RUNNING, started_at=timezone.now())
    resource = job.resource
    try:
        # Checked again now: the publisher may have lost the right (or their account) since the upload.
        if job.uploaded_by is None:
            raise PermissionDenied(_("Only the officials of the publishing body may publish its data."))
        _check(job.uploaded_by, resource.dataset.body)
        with job.file.open("rb") as stored:
            data = stored.read()
        with limits.budget(progress=_job_progress(job.pk)):
            parsed = _parse(data, resource.format, _expected_schema(resource, job.new_schema))
            with transaction.atomic():
                locked = UploadJob.objects.select_for_update().get(pk=job.pk)
                if locked.finished:
                    return locked.state
                version = _store_version(job.uploaded_by, resource, data, job.original_name, parsed)
                _finish(job.pk, UploadJob.State.DONE, version=version)
    except (ValidationError, PermissionDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        with transaction.atomic():
            _finish(job.pk, UploadJob.State.REFUSED, " ".join(messages))
        return UploadJob.State.REFUSED
    except Exception:
        # A fault of ours, not of the file: the publisher is told, the operator finds it in the log.
        log.exception("upload job %s failed", job.pk)
        with transaction.atomic():
            _finish(
                job.pk,
                UploadJob.State.REFUSED,
                _("The file could not be checked because of an error on our side; please upload it again later."),
            )
        return UploadJob.State.REFUSED
    return UploadJob.State.DONE


NOTE_MAX = 2000


@transaction.atomic
def withdraw(actor, dataset, reason, note="", resource=None, version=None) -> Withdrawal:
    """Withdraw a whole dataset, one of its resources (`resource`) or one version of a resource (`version`), for
    good, with the reason's category and a note (required for "another reason"). One transaction with its event:

    - the withdrawn versions are no longer served (their download answers 410 Gone), and their datastore tables
      are dropped, so their rows are gone from the previews and datastore_search;
    - a resource whose newest version alone was withdrawn serves its previous version again (its table was kept);
    - a withdrawn dataset or resource leaves the catalogue, its search, the CKAN API and the DCAT catalogue; the
      dataset's page stays as a tombstone saying when and why (views.dataset_page), with its history;
    - the stored files are deleted from storage once this commits when the reason is personal data; otherwise they
      are kept for the operator (docs/opendata.md);
    - uploads still waiting in the queue for a withdrawn resource are refused;
    - the open-data pages in the page cache are rendered afresh and the assessment's figures recounted
      (dataset_changed).

    A version that failed validation was never public and is refused (Conflict): there is nothing to withdraw.

    Permission: whoever may publish the dataset's data (can_publish: its body's officials and heads, administrators).
    """
    if actor is None or not can_publish(actor, dataset.body):
        raise PermissionDenied(_("Only the officials of the publishing body may withdraw its data."))
    if reason not in Withdrawal.Reason.values:
        raise ValidationError({"reason": _("Choose why the data is withdrawn.")})
    note = (note or "").strip()
    if reason == Withdrawal.Reason.OTHER and not note:
        raise ValidationError({"note": _('Say why the data is withdrawn: the reason chosen is "another reason".')})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Write at most %(n)s characters.") % {"n": NOTE_MAX}})
    if version is not None:
        resource = version.resource
    if resource is not None and resource.dataset_id != dataset.pk:
        raise ValidationError(_("The resource is not one of this dataset's."))
    # Locked resources first, then the dataset: the order an upload takes them (_store_version), so the two wait for
    # each other rather than deadlock.
    resources = Resource.objects.select_for_update().filter(dataset=dataset).order_by("pk")
    if resource is not None:
        resources = resources.filter(pk=resource.pk)
    locked_resources = list(resources)
    locked = Dataset.objects.select_for_update().select_related("body").get(pk=dataset.pk)
    if locked.withdrawal_id:
        raise Conflict(_("This dataset was withdrawn already."))
    if resource is not None and locked_resources[0].withdrawal_id:
        raise Conflict(_("This resource was withdrawn already."))
    if version is not None:
        version = ResourceVersion.objects.select_for_update().get(pk=version.pk)
        if version.withdrawal_id:
            raise Conflict(_("This version was withdrawn already."))
        if not version.valid:
            # A version that failed validation was never served: a tombstone would say that something public was
            # taken back when nothing was. Its file stays with its report, read only by the body's publishers.
            raise Conflict(
                _("Version %(number)s was never published: it did not pass validation, so there is nothing public to withdraw.")
                % {"number": version.number}
            )
        scope, versions = Withdrawal.Scope.VERSION, [version]
    else:
        scope = Withdrawal.Scope.RESOURCE if resource is not None else Withdrawal.Scope.DATASET
        versions = list(
            ResourceVersion.objects.select_for_update()
            .filter(resource__in=[r.pk for r in locked_resources], withdrawal__isnull=True)
            .order_by("pk")
        )
    personal = reason == Withdrawal.Reason.PERSONAL_DATA
    event = Withdrawal.objects.create(
        dataset=locked,
        resource=resource,
        version=version,
        scope=scope,
        reason=reason,
        note=note,
        files_deleted=personal,
        versions_count=len(versions),
        withdrawn_by=actor,
        withdrawn_at=clock.now(),
    )
    files = []
    for each in versions:
        datastore.drop(each)
        if personal and each.file:
            files.append((each.file.storage, each.file.name))
            each.file = ""
        each.withdrawal, each.loaded = event, False
        each.save(update_fields=["withdrawal", "loaded", "file"])
    if scope != Withdrawal.Scope.VERSION:
        Resource.objects.filter(pk__in=[r.pk for r in locked_resources], withdrawal__isnull=True).update(withdrawal=event)
        # Uploads still waiting for a resource withdrawn are refused, their files not kept.
        jobs = UploadJob.objects.select_for_update().filter(
            resource__in=[r.pk for r in locked_resources], state__in=[UploadJob.State.QUEUED, UploadJob.State.RUNNING]
        )
        for job in jobs:
            _finish(job.pk, UploadJob.State.REFUSED, _("The resource was withdrawn before this file was checked."))
    if scope == Withdrawal.Scope.DATASET:
        locked.withdrawal = event
    # modified_at moves too: harvesters that copy the catalogue see that it changed.
    locked.save(update_fields=["withdrawal", "modified_at"])
    if files:
        # Personal data must really go: the stored files are deleted once the withdrawal is committed.
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    log.info("opendata %s: %s withdrawn (%s), %d versions", locked.slug, scope, reason, len(versions))
    _figures_changed(locked.body_id)
    return event


def _delete_files(files):
    for storage, name in files:
        storage.delete(name)


def republishing_refused(slug, resource_name=None, data=None) -> str:
    """For a job that publishes the same dataset on every run (the budget import, the demo's datasets): why it must
    not publish into it this time, in a line for the operator's log and the command's output, or "" to go on.

    Refused: the dataset withdrawn; its resource `resource_name` withdrawn with none of that name left; a version
    holding these very bytes (`data`) withdrawn from it. The services refuse to add to what was withdrawn, and the
    same bytes published again would undo a publisher's decision, so such a job skips publishing and says why
    rather than stop or publish elsewhere. A version withdrawn whose data has since changed is not in the way: the
    changed data is published as a new version, as a publisher would correct it."""
    dataset = Dataset.objects.select_related("withdrawal").filter(slug=slug).first()
    if dataset is None:
        return ""
    if dataset.withdrawal_id:
        return _refusal(dataset.withdrawal, f"the dataset {slug} was withdrawn")
    if resource_name is None:
        return ""
    resources = list(Resource.objects.filter(dataset=dataset, name=resource_name).select_related("withdrawal"))
    active = [r for r in resources if not r.withdrawal_id]
    if not active:
        withdrawn = [r for r in resources if r.withdrawal_id]
        if withdrawn:
            return _refusal(withdrawn[-1].withdrawal, f"the resource {resource_name} of the dataset {slug} was withdrawn")
        return ""
    if data is not None:
        digest = hashlib.sha256(data).hexdigest()
        same = (
            ResourceVersion.objects.filter(resource__in=active, sha256=digest, withdrawal__isnull=False)
            .select_related("withdrawal")
            .order_by("-number")
            .first()
        )
        if same is not None:
            return _refusal(
                same.withdrawal,
                f"version {same.number} of {resource_name} in the dataset {slug}, holding the same data, was withdrawn",
            )
    return ""


def _refusal(withdrawal, what) -> str:
    return f"{what} {withdrawn_on(withdrawal)}; nothing is published into what was withdrawn"


def withdrawn_on(withdrawal) -> str:
    """'on 2026-12-05 (wrong data)': when and why, in English, for an operator's log and a command's output."""
    with translation.override("en"):
        reason = str(withdrawal.get_reason_display())
    return f"on {timezone.localtime(withdrawal.withdrawn_at):%Y-%m-%d} ({reason})"


def not_published(logger, job: str, why: str) -> str:
    """The warning of a routine job (the budget import, the demo's datasets) that skipped publishing into what was
    withdrawn: logged under the job's name and returned for its command to print."""
    warning = f"open data not published: {why}"
    logger.warning("%s: %s", job, warning)
    return warning


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
    result = {
        "columns_added": [n for n in new_names if n not in old_names],
        "columns_removed": [n for n in old_names if n not in new_names],
        "added": [],
        "removed": [],
        "changed": [],
        "key": None,
        "columns": new_names,
    }
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
