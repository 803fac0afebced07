"""Open data: datasets of publishing bodies, their resources and every uploaded version of each resource.

A version's rows live in a datastore table of their own (datastore.py), named after the version; the
models keep the metadata, the inferred Table Schema and the validation report.

A dataset, a resource or a version may be withdrawn (services.withdraw): the `Withdrawal` row is the event, and
each row withdrawn points at it. What the public reads goes through `active()` (datasets, resources) and
`served()` (versions: valid and not withdrawn); a withdrawn dataset keeps its page as a tombstone.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body


class Frequency(models.TextChoices):
    # Days after which a dataset is late (None: no schedule to be late against).
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    ANNUAL = "annual", _("annual")
    IRREGULAR = "irregular", _("irregular")
    NEVER = "never", _("not updated (historical)")


# The order in which a missing translation falls back: the state language, Russian, then English.
FALLBACK_LANGUAGES = ("kk", "ru", "en")

FREQUENCY_DAYS = {"daily": 2, "weekly": 8, "monthly": 32, "quarterly": 93, "annual": 366}


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", "Creative Commons Attribution 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    ODBL = "ODbL-1.0", "Open Database License 1.0"
    OTHER = "other", _("other (see the description)")


class NotWithdrawnQuerySet(models.QuerySet):
    def active(self):
        """The rows the public reads: not withdrawn (a resource is marked too when its whole dataset is)."""
        return self.filter(withdrawal__isnull=True)


class Dataset(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="datasets")
    slug = models.SlugField(max_length=100, unique=True)
    # Kazakh or Russian (at least one, services._dataset_rules); English is optional.
    title_en = models.CharField(max_length=255, blank=True)
    title_ru = models.CharField(max_length=255, blank=True)
    title_kk = models.CharField(max_length=255, blank=True)
    description_en = models.TextField(blank=True)
    description_ru = models.TextField(blank=True)
    description_kk = models.TextField(blank=True)
    licence = models.CharField(max_length=20, choices=Licence.choices, blank=True)
    temporal_start = models.DateField(null=True, blank=True)
    temporal_end = models.DateField(null=True, blank=True)
    spatial = models.CharField(max_length=255, blank=True, help_text=_("Countries or regions covered"))
    frequency = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    tags = models.JSONField(default=list, blank=True)
    source = models.TextField(blank=True, help_text=_("Where the data comes from (a reference, a register, a URL)"))
    documentation_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    # Set once, by services.withdraw: the dataset is no longer public; its page says when and why (a tombstone).
    withdrawal = models.ForeignKey(
        "Withdrawal",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="datasets",
        # Nearly every row is NULL: an index would only mislead the planner away from the search indexes.
        db_index=False,
    )

    objects = NotWithdrawnQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self):
        return self.slug

    def localized(self, field: str, lang: str | None = None) -> str:
        """The field in `lang` (default: the reader's language), else in the first of Kazakh, Russian, English
        that has it: a dataset may be described in one language only."""
        from django.utils.translation import get_language

        lang = (lang or get_language() or "kk")[:2]
        for code in (lang, *FALLBACK_LANGUAGES):
            value = getattr(self, f"{field}_{code}", "")
            if value:
                return value
        return ""

    def translations(self, field: str) -> dict:
        """{"kk": ..., "ru": ..., "en": ...} of the languages the field is given in (CKAN's *_translated)."""
        return {code: getattr(self, f"{field}_{code}") for code in FALLBACK_LANGUAGES if getattr(self, f"{field}_{code}")}

    @property
    def title(self):
        return self.localized("title")

    @property
    def description(self):
        return self.localized("description")


class Resource(models.Model):
    class Format(models.TextChoices):
        CSV = "CSV", "CSV"
        XLSX = "XLSX", "XLSX"
        JSON = "JSON", "JSON"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=10, choices=Format.choices)
    # A link resource points elsewhere; a file resource has versions uploaded here.
    url = models.URLField(max_length=500, blank=True)
    # Set by check_links: whether the link answered, what it answered ("HTTP 200", "timed out", ...) and when.
    link_reachable = models.BooleanField(null=True, blank=True)
    link_status = models.CharField(max_length=200, blank=True)
    link_checked_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The newest upload failed validation: the previous valid version is still the one served.
    flagged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once, by services.withdraw (this resource, or its whole dataset).
    withdrawal = models.ForeignKey(
        "Withdrawal", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="resources", db_index=False
    )

    objects = NotWithdrawnQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "position", "created_at"]

    def __str__(self):
        return self.name

    @property
    def current_version(self):
        """The version served: the newest valid one not withdrawn (None for a withdrawn resource). From the versions
        prefetched when the caller prefetched them (lists of many datasets: the catalogue API, the checklists)."""
        if self.withdrawal_id:
            return None
        if "versions" in getattr(self, "_prefetched_objects_cache", {}):
            return max((v for v in self.versions.all() if v.served), key=lambda v: v.number, default=None)
        return self.versions.served().order_by("-number").first()


class VersionQuerySet(models.QuerySet):
    def served(self):
        """The versions the public may read and download: valid and not withdrawn."""
        return self.filter(valid=True, withdrawal__isnull=True)


class ResourceVersion(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="opendata/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    valid = models.BooleanField(default=False)
    # The Table Schema inferred by frictionless ({"fields": [{"name", "type"}]}).
    schema = models.JSONField(default=dict, blank=True)
    # Validation errors: [{"row": n, "column": n, "field": name, "type": code, "message": text}].
    report = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    loaded = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once, by services.withdraw (this version, its resource or its dataset): no longer downloadable, its
    # datastore table dropped, and its file deleted from storage when the reason is personal data.
    withdrawal = models.ForeignKey(
        "Withdrawal", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="versions", db_index=False
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="opendata_version_number_unique")]

    def __str__(self):
        return f"{self.resource} v{self.number}"

    @property
    def table_name(self) -> str:
        return f"opendata_ds_{self.pk}"

    @property
    def served(self) -> bool:
        return self.valid and self.withdrawal_id is None


class Withdrawal(models.Model):
    """The event of withdrawing a dataset, one resource or one version (services.withdraw), kept for good: the
    dataset's public history shows it, and the rows withdrawn point at it.

    The reason's category is public; the note is public too, except when the reason is personal data (it may
    repeat them): then only the publishing body's staff and administrators read it."""

    class Reason(models.TextChoices):
        PERSONAL_DATA = "personal-data", _("personal data published by mistake")
        WRONG_DATA = "wrong-data", _("wrong data")
        SUPERSEDED = "superseded", _("superseded by other data")
        OTHER = "other", _("another reason")

    class Scope(models.TextChoices):
        DATASET = "dataset", _("the whole dataset")
        RESOURCE = "resource", _("one resource")
        VERSION = "version", _("one version of a resource")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="withdrawals")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ResourceVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    # The files deleted from storage (personal data) rather than kept for the operator.
    files_deleted = models.BooleanField(default=False)
    versions_count = models.PositiveIntegerField(default=0)
    withdrawn_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField()

    class Meta:
        ordering = ["dataset", "-withdrawn_at"]

    def __str__(self):
        return f"{self.dataset} {self.scope} {self.withdrawn_at:%Y-%m-%d}"

    @property
    def note_is_public(self) -> bool:
        return self.reason != self.Reason.PERSONAL_DATA


class UploadJob(models.Model):
    """A large upload waiting for, or going through, validation by the background worker (tasks.py).

    The file is kept here until the task has made it a version (valid or not, with its report) or refused it;
    the publisher follows it on a progress page. A job is finished once: running its task again does nothing."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting in the queue")
        RUNNING = "running", _("being checked")
        DONE = "done", _("checked")
        REFUSED = "refused", _("refused")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="upload_jobs")
    file = models.FileField(upload_to="opendata/pending/", max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The publisher confirmed that the columns' types change (services.upload_version's new_schema).
    new_schema = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    # Why it was refused (a limit, a lost permission), in the words the publisher reads.
    message = models.TextField(blank=True)
    version = models.OneToOneField(ResourceVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="job")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="opendata_job_state")]

    def __str__(self):
        return f"{self.resource} upload {self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REFUSED)
