from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedNameMixin:
    """Models with name_kk/name_ru/name_en show the name in the active language, falling back to English."""

    def localized(self, field: str = "name") -> str:
        lang = (get_language() or "en")[:2]
        return getattr(self, f"{field}_{lang}", "") or getattr(self, f"{field}_en")

    @property
    def name(self) -> str:
        return self.localized("name")

    def __str__(self) -> str:
        return self.name


class Region(TranslatedNameMixin, models.Model):
    """One of Kazakhstan's 20 administrative units (17 regions, 3 cities of republican significance)."""

    class Kind(models.TextChoices):
        REGION = "region", _("region")
        CITY = "city", _("city of republican significance")

    iso_code = models.CharField(max_length=8, unique=True, help_text="ISO 3166-2:KZ code, e.g. KZ-75")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name_en = models.CharField(max_length=100)
    name_ru = models.CharField(max_length=100)
    name_kk = models.CharField(max_length=100)
    center_en = models.CharField(max_length=100, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_date = models.DateField(null=True, blank=True)
    population_source = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class TaskMark(models.Model):
    """A background task's record that work which cannot be rolled back (an email) was done: written in the
    task's transaction, so a second run of the task finds it and does nothing (core/tasks.py, `once`)."""

    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField(auto_now_add=True)


class WorkerHeartbeat(models.Model):
    """A running worker's sign of life (`manage.py worker`): refreshed every few seconds, so a task left
    "running" by a worker that stopped beating (killed, machine lost) is put back in the queue."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()
