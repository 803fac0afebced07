from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.core.models import Region, TranslatedNameMixin


class Topic(TranslatedNameMixin, models.Model):
    """A subject of competence (policing, healthcare, taxes, ...) used to route appeals to a body."""

    slug = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(max_length=120)
    name_ru = models.CharField(max_length=120)
    name_kk = models.CharField(max_length=120)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Body(TranslatedNameMixin, models.Model):
    """A state body whose head receives appeals. Slugs are stable public identifiers (docs/api.md)."""

    class Kind(models.TextChoices):
        PRESIDENTIAL_ADMINISTRATION = "presidential-administration", _("presidential administration")
        GOVERNMENT = "government", _("government")
        PROSECUTOR = "prosecutor", _("prosecutor's office")
        AGENCY = "agency", _("agency")
        COURT = "court", _("court")
        OMBUDSMAN = "ombudsman", _("ombudsman")
        MINISTRY = "ministry", _("ministry")
        COMMITTEE = "committee", _("committee")
        AKIMAT = "akimat", _("akimat")

    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    name_en = models.CharField(max_length=255)
    name_ru = models.CharField(max_length=255)
    name_kk = models.CharField(max_length=255)
    head_title_en = models.CharField(max_length=255)
    head_title_ru = models.CharField(max_length=255, blank=True)
    head_title_kk = models.CharField(max_length=255, blank=True)
    # The higher body: complaints about this body's answers go there.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Local bodies serve one region; central bodies serve the whole country (null).
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="bodies")
    topics = models.ManyToManyField(Topic, blank=True, related_name="bodies")
    source = models.URLField(max_length=500, blank=True)
    accepts_appeals = models.BooleanField(default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state body")
        verbose_name_plural = _("state bodies")

    @property
    def head_title(self) -> str:
        return self.localized("head_title")
