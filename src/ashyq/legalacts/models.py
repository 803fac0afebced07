"""Open Legal Acts: public discussion of drafts, and the registers of adopted acts and international agreements.

A discussion `Process` is one draft put to the public by the body that develops it. Its text lives in
numbered `DraftVersion`s, each parsed into `Provision`s named by Akoma Ntoso identifiers
(`chp_2__art_5__para_2`); comments name the provision by that identifier, so a comment stays on its
provision in later versions. Every change is a service (services.py) that appends a `ProcessEvent`.
The window and report terms come from a versioned `DiscussionRule`, like dialogue's `Regulation`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ashyq.core import publications

LANGS = ("kk", "ru", "en")


def _in_language(obj, field: str) -> str:
    """The value in the reader's language, else Russian, Kazakh, English (drafts must have kk and ru)."""
    lang = (get_language() or "kk")[:2]
    for code in (lang, "ru", "kk", "en"):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


class DiscussionRule(models.Model):
    """The terms a discussion is held under. Versioned: a process keeps the version it was published under,
    and a version in use cannot be edited, only superseded."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=255)
    legal_basis = models.TextField(blank=True)
    effective_from = models.DateField()
    min_calendar_days = models.PositiveSmallIntegerField(
        default=10, help_text=_("The shortest window, in calendar days from the day the discussion opens.")
    )
    standard_min_working_days = models.PositiveSmallIntegerField(
        default=10, help_text=_("The shortest window for a draft standard of a public service, in working days.")
    )
    report_working_days = models.PositiveSmallIntegerField(
        default=10, help_text=_("Working days after closing by which the developer's report is due.")
    )
    calendar_country = models.CharField(max_length=2, default="KZ")

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("discussion rule")
        verbose_name_plural = _("discussion rules")

    def __str__(self):
        return f"v{self.version}: {self.title}"

    def save(self, *args, **kwargs):
        # A version that processes were published under is frozen: changing it would move their deadlines.
        if self.pk and self.processes.exists():
            raise ValueError("This rule version is in use; create a new version instead.")
        super().save(*args, **kwargs)


class ActType(models.TextChoices):
    LAW = "law", _("law")
    CODE = "code", _("code")
    DECREE = "decree", _("decree")
    ORDER = "order", _("order")
    RULES = "rules", _("rules")
    METHODOLOGY = "methodology", _("methodology")
    SERVICE_STANDARD = "service_standard", _("standard of a public service")
    CONCEPT = "concept", _("concept")


class Stage(models.TextChoices):
    """What the services have recorded. The public phase (announced, open, closed) also depends on today."""

    PUBLISHED = "published", _("published")
    REPORT_PUBLISHED = "report_published", _("report published")
    ADOPTED = "adopted", _("adopted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Phase(models.TextChoices):
    ANNOUNCED = "announced", _("announced")
    OPEN = "open", _("open for comments")
    CLOSED = "closed", _("closed")
    REPORT_PUBLISHED = "report_published", _("report published")
    ADOPTED = "adopted", _("adopted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Process(models.Model):
    """One draft put to public discussion by the body that develops it."""

    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="legal_processes")
    act_type = models.CharField(max_length=30, choices=ActType.choices)
    title_kk = models.CharField(max_length=500)
    title_ru = models.CharField(max_length=500)
    title_en = models.CharField(max_length=500, blank=True)
    rule = models.ForeignKey(DiscussionRule, on_delete=models.PROTECT, related_name="processes")
    opens_on = models.DateField()
    closes_on = models.DateField(help_text=_("The last day on which comments are accepted."))
    report_due_on = models.DateField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PUBLISHED)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    report_published_at = models.DateTimeField(null=True, blank=True)
    report_summary = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ending_note = models.TextField(blank=True, help_text=_("Adoption requisites, or the reason for withdrawal."))
    synthetic = models.BooleanField(default=False, help_text=_("Demo content, labelled so on every page."))

    class Meta:
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["stage", "closes_on"]), models.Index(fields=["body", "-opens_on"])]
        verbose_name = _("discussion process")
        verbose_name_plural = _("discussion processes")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self, "title")


class DraftVersion(models.Model):
    """A numbered text of the draft; the first is the one published, later ones revise it."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text_kk = models.TextField()
    text_ru = models.TextField()
    text_en = models.TextField(blank=True)
    source_format = models.CharField(max_length=10, default="markdown")
    note = models.TextField(blank=True, help_text=_("What changed in this version."))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["process", "number"]
        constraints = [models.UniqueConstraint(fields=["process", "number"], name="legalacts_one_version_number")]


class ActStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    REPEALED = "repealed", _("no longer in force")


class AdoptedAct(models.Model):
    """An act in the register: its requisites and its versions. Filled by adoption of a process or by loading."""

    code = models.SlugField(max_length=40, unique=True, help_text=_("A stable public identifier."))
    act_type = models.CharField(max_length=30, choices=ActType.choices)
    title_kk = models.TextField()
    title_ru = models.TextField()
    title_en = models.TextField(blank=True)
    number = models.CharField(max_length=60, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    issuer_kk = models.CharField(max_length=300, blank=True)
    issuer_ru = models.CharField(max_length=300, blank=True)
    issuer_en = models.CharField(max_length=300, blank=True)
    body = models.ForeignKey("bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="adopted_acts")
    registration_number = models.CharField(max_length=60, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    requisite_ru = models.TextField(blank=True)
    requisite_kk = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ActStatus.choices, default=ActStatus.IN_FORCE)
    status_note = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_note = models.TextField(blank=True, help_text=_("Where the text comes from and on what terms."))
    process = models.OneToOneField(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="act")

    class Meta:
        ordering = ["-adopted_on", "code"]
        verbose_name = _("adopted act")
        verbose_name_plural = _("adopted acts")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self, "title")

    @property
    def issuer(self) -> str:
        return _in_language(self, "issuer")


class ActVersion(models.Model):
    act = models.ForeignKey(AdoptedAct, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    version_date = models.DateField(null=True, blank=True)
    caused_by = models.CharField(max_length=300, blank=True, help_text=_("The amending act that produced this version."))
    text_kk = models.TextField(blank=True)
    text_ru = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["act", "number"]
        constraints = [models.UniqueConstraint(fields=["act", "number"], name="legalacts_one_act_version_number")]


class Provision(models.Model):
    """A chapter, article, point or sub-point of a text, in every language it has, named by its AKN eId.

    It belongs either to a draft's version or to an adopted act's version, never both."""

    draft_version = models.ForeignKey(DraftVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="provisions")
    act_version = models.ForeignKey(ActVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="provisions")
    eid = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    num = models.CharField(max_length=20, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveIntegerField()
    heading_kk = models.TextField(blank=True)
    heading_ru = models.TextField(blank=True)
    heading_en = models.TextField(blank=True)
    text_kk = models.TextField(blank=True)
    text_ru = models.TextField(blank=True)
    text_en = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(draft_version__isnull=False, act_version__isnull=True)
                | models.Q(draft_version__isnull=True, act_version__isnull=False),
                name="legalacts_provision_has_one_text",
            ),
            models.UniqueConstraint(fields=["draft_version", "eid"], name="legalacts_draft_eid_unique"),
            models.UniqueConstraint(fields=["act_version", "eid"], name="legalacts_act_eid_unique"),
        ]

    @property
    def heading(self) -> str:
        return _in_language(self, "heading")

    @property
    def text(self) -> str:
        return _in_language(self, "text")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    PUBLISHED = "published", _("published")
    REFUSED = "refused", _("refused by moderation")
    HIDDEN = "hidden", _("hidden after a report")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    PARTLY = "partly", _("partly accepted")
    REJECTED = "rejected", _("rejected")
    NOT_ABOUT_DRAFT = "not_about_draft", _("not about this draft")


class Comment(models.Model):
    """A signed-in person's comment on one provision (or the draft as a whole), optionally quoting a passage.

    The public reads `public_text`, the moderated copy; the author appears under their pseudonym."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(
        DraftVersion, on_delete=models.PROTECT, related_name="+", help_text=_("The version it was written on.")
    )
    provision_eid = models.CharField(max_length=200, blank=True, help_text=_("Empty: the draft as a whole."))
    quote = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="legal_comments")
    text = models.TextField()
    public_text = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=CommentStatus.choices, default=CommentStatus.PENDING)
    created_at = models.DateTimeField()
    moderated_at = models.DateTimeField(null=True, blank=True)
    supports = models.PositiveIntegerField(default=0)
    opposes = models.PositiveIntegerField(default=0)
    abuse_reports = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["process", "status"]), models.Index(fields=["status", "created_at"])]

    @property
    def answered_with_reason(self) -> bool:
        return bool(self.decision and self.reason.strip())


class Reply(models.Model):
    """The developer's reply under a comment, visible once the comment is published."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class Stance(models.Model):
    """One person's support or opposition to a comment; changing it replaces it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="stances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    support = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="legalacts_one_stance")]


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Process events are append-only.")

    def delete(self):
        raise PermissionError("Process events are append-only.")


class ProcessEvent(models.Model):
    """The record of a discussion: every service appends one; none is ever changed or removed."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Process events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Process events are append-only.")


class Agreement(models.Model):
    """An international agreement or a cooperation project known from a publication, with what is public of it."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("agreement")
        STATEMENT = "statement", _("joint statement")
        PROJECT = "project", _("project")

    class Status(models.TextChoices):
        SIGNED = "signed", _("signed")
        IN_FORCE = "in_force", _("in force")
        UNKNOWN = "unknown", _("status not published")

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGREEMENT)
    title_en = models.CharField(max_length=500)
    title_ru = models.CharField(max_length=500, blank=True)
    title_kk = models.CharField(max_length=500, blank=True)
    parties = models.CharField(max_length=500)
    country = models.SlugField(max_length=60, help_text=_("The partner's page in the Silk Road explorer."))
    signed_on = models.DateField(null=True, blank=True)
    signed_year = models.PositiveSmallIntegerField(null=True, blank=True)
    signed_place = models.CharField(max_length=200, blank=True)
    ratifying_law = models.CharField(max_length=300, blank=True)
    entered_into_force_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    full_text = models.TextField(blank=True)
    text_requested_on = models.DateField(
        null=True, blank=True, help_text=_("When the text was requested, if it is not published.")
    )
    dataset_slugs = models.CharField(
        max_length=300, blank=True, help_text=_("Open-data datasets that mention it, space-separated.")
    )

    class Meta:
        ordering = ["signed_year", "slug"]
        verbose_name = _("international agreement")
        verbose_name_plural = _("international agreements")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self, "title")

    @property
    def dataset_list(self) -> list[str]:
        return self.dataset_slugs.split()


class Citation(models.Model):
    """A fact about an agreement and the publication it is taken from (core.publications, so a source is written
    the same way on every page, export and API answer), with where in it when the publication's pages say less."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="citations")
    fact = models.TextField()
    publication = models.CharField(max_length=100, help_text=_("Key of the publication in Ashyq's register of sources."))
    locator = models.CharField(
        max_length=200, blank=True, help_text=_("Page, table or passage, when more precise than the article's pages.")
    )

    class Meta:
        ordering = ["agreement", "pk"]

    def __str__(self):
        return self.cite()

    @property
    def source(self) -> publications.Publication:
        return publications.get(self.publication)

    def cite(self, lang: str | None = None) -> str:
        """The publication's citation in `lang` (default: the active language), then the locator."""
        text = self.source.cite(lang=lang)
        return f"{text[:-1]}, {self.locator}." if self.locator else text
