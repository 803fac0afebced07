"""Open data: datasets of publishing bodies, their resources and every uploaded version of each resource.

A version's rows live in a datastore table of their own (datastore.py), named after the version; the
models keep the metadata, the inferred Table Schema and the validation report.
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

    class Meta:
        ordering = ["dataset", "position", "created_at"]

    def __str__(self):
        return self.name

    @property
    def current_version(self):
        return self.versions.filter(valid=True).order_by("-number").first()


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

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="opendata_version_number_unique")]

    def __str__(self):
        return f"{self.resource} v{self.number}"

    @property
    def table_name(self) -> str:
        return f"opendata_ds_{self.pk}"


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
