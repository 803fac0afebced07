"""Content analysis of appeals: the study's categories, labels with who set them, trained models, and one
row per appeal and body that the reports group by.

Labels are append-only (like the appeal's events): the current label of a task is the newest one set by a
person, or else the newest model suggestion. AppealAnalysis is derived (analysis/refresh.py) and can be
rebuilt from the record and the labels at any time (`manage.py analyse_appeals`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.core.models import TranslatedNameMixin
from ashyq.dialogue.models import AppendOnlyQuerySet


class Task(models.TextChoices):
    CAUSE = "cause", _("cause")
    SECTOR = "sector", _("criticised sector")
    ROUTING = "routing", _("competent body")


# Tasks whose labels people confirm on the appeal page; routing learns from where appeals were answered.
LABELLED_TASKS = (Task.CAUSE, Task.SECTOR)


class Cause(TranslatedNameMixin, models.Model):
    """Why people write. Seeded with the categories of the KazISS study (2020); an admin may add more."""

    slug = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(max_length=160)
    name_ru = models.CharField(max_length=160)
    name_kk = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("cause of appeals")
        verbose_name_plural = _("causes of appeals")


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    KAZAKH_LATIN = "kk-latn", _("Kazakh (Latin script)")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
    MIXED = "mixed", _("mixed Kazakh and Russian")
    UNKNOWN = "und", _("undetermined")


class Handling(models.TextChoices):
    """How a body handled an appeal, read from its record (handling.py)."""

    MERITS = "merits", _("answered on the merits")
    INVESTIGATION = "investigation", _("investigation or measures")
    REDIRECTED = "redirected", _("redirected")
    REFUSED = "refused", _("refused")
    LEFT_WITHOUT_CONSIDERATION = "left_without_consideration", _("left without consideration")
    PENDING = "pending", _("not answered yet")
    WITHDRAWN = "withdrawn", _("withdrawn by the applicant")


class Source(models.TextChoices):
    MODEL = "model", _("suggested by the model")
    PERSON = "person", _("set by a person")
    IMPORT = "import", _("imported")


class Label(models.Model):
    """One label given to an appeal for one task. Never changed: a correction is a new row."""

    appeal = models.ForeignKey("dialogue.Appeal", on_delete=models.CASCADE, related_name="labels")
    task = models.CharField(max_length=20, choices=Task.choices)
    value = models.CharField(max_length=100)
    source = models.CharField(max_length=10, choices=Source.choices)
    score = models.FloatField(null=True, blank=True)
    model = models.ForeignKey("ClassifierModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["appeal", "task", "set_at", "pk"]
        indexes = [models.Index(fields=["appeal", "task", "set_at"], name="label_appeal_task")]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Labels are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Labels are append-only.")


class ClassifierModel(models.Model):
    """A trained model, stored with the installation (the database), never downloaded. The newest active
    model of a task answers suggestions; older ones stay for comparison and rollback."""

    task = models.CharField(max_length=20, choices=Task.choices)
    created_at = models.DateTimeField()
    trained_on = models.CharField(max_length=255, help_text=_("Where the training labels came from"))
    samples = models.PositiveIntegerField()
    classes = models.JSONField(default=list)
    class_counts = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict, blank=True)
    # joblib dump of the scikit-learn pipeline. Only this installation's own training writes it; it is
    # loaded from the database, never from a file a user supplies.
    blob = models.BinaryField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["task", "active", "-created_at"], name="classifier_task_active")]
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")

    def __str__(self):
        return f"{self.task} #{self.pk} ({self.samples} samples)"


class AppealAnalysis(models.Model):
    """One row per appeal and per body that held it: what the reports group by. Derived, never edited."""

    appeal = models.ForeignKey("dialogue.Appeal", on_delete=models.CASCADE, related_name="analysis_rows")
    body = models.ForeignKey("bodies.Body", on_delete=models.CASCADE, related_name="+")
    # The first day of the month the body received the appeal (registration or arrival by redirect).
    month = models.DateField()
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    # The door the appeal came through (dialogue's Channel): reports filter by it and count each channel apart.
    channel = models.CharField(max_length=20, default="open_dialogue")
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.UNKNOWN)
    cause = models.CharField(max_length=60, blank=True)
    cause_confirmed = models.BooleanField(default=False)
    sector = models.CharField(max_length=60, blank=True)
    sector_confirmed = models.BooleanField(default=False)
    handling = models.CharField(max_length=30, choices=Handling.choices)
    redirected_to = models.ForeignKey("bodies.Body", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The row of the body that holds the appeal now (or answered it): reports over all bodies count each
    # appeal once by reading only these rows.
    final = models.BooleanField(default=True)
    # Whether the appeal is on the public record (the reports are aggregates of all appeals; this tells
    # the export which rows may also be listed one by one).
    published = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "body"], name="analysis_unique_appeal_body")]
        indexes = [
            models.Index(fields=["body", "month"], name="analysis_body_month"),
            models.Index(fields=["final", "month"], name="analysis_final_month"),
            # One channel's rows of the months (the reports' channel filter).
            models.Index(fields=["channel", "month"], name="analysis_channel_month"),
        ]
        verbose_name = _("appeal analysis")
        verbose_name_plural = _("appeal analyses")


class MonthlyCount(models.Model):
    """How many analysis rows of a month, body and channel have each value of one dimension (summary.py): the
    report pages read these instead of the rows. Derived, kept in the rows' own transaction, rebuilt on demand.

    body_id 0 stands for all bodies, each appeal counted once on its final row (and every redirect made by any
    body); a plain number rather than a foreign key so that every key column is non-null and one unique index
    serves both the upsert and the reads."""

    body_id = models.BigIntegerField()
    month = models.DateField()
    channel = models.CharField(max_length=20)
    # cause, sector, handling, language, region (its id), redirect (the target body's id, "" if unknown)
    dimension = models.CharField(max_length=10)
    value = models.CharField(max_length=60, blank=True)
    n = models.IntegerField(default=0)
    cause_confirmed = models.IntegerField(default=0)
    sector_confirmed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body_id", "month", "channel", "dimension", "value"], name="analysis_monthly_key")
        ]
        # The comparison of bodies reads every body's cause and handling counts of the months.
        indexes = [models.Index(fields=["dimension", "month"], name="analysis_monthly_dimension")]
