"""Heads' blogs and web conferences.

A head of a body writes posts (in Kazakh, Russian and English: at least one) and runs web conferences: a date and
time, a window for questions before it, a link to the video on an outside service (Jitsi, BigBlueButton; nothing
is hosted here). A question to a post or a conference is an appeal on its own channel (dialogue's `Appeal.channel`),
so it keeps the statutory terms, moderation, redaction and the record; `Question` is the link from the appeal to
the post or conference, held here so that dialogue never knows of blogs. What the public reads of a question and
its answer comes from dialogue's public copies only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("kk", "ru", "en")


class Translated(models.Model):
    """Fields written in up to three languages: the reader's language first, then any other that was written."""

    class Meta:
        abstract = True

    def localized(self, field: str) -> str:
        lang = (get_language() or "kk")[:2]
        order = [lang] + [code for code in LANGUAGES if code != lang]
        return next((getattr(self, f"{field}_{code}") for code in order if getattr(self, f"{field}_{code}")), "")

    def language_of(self, field: str) -> str:
        """The language code of the text `localized` returns (for the page's lang attribute)."""
        lang = (get_language() or "kk")[:2]
        order = [lang] + [code for code in LANGUAGES if code != lang]
        return next((code for code in order if getattr(self, f"{field}_{code}")), lang)

    @property
    def title(self) -> str:
        return self.localized("title")


class Delegation(models.Model):
    """The head of a body lets one of its officials write the blog and run the web conferences in the head's name,
    until the head withdraws it. A withdrawn delegation stays (who granted it, when, who withdrew it, when); a new
    one is a new row. The official must be of the head's own body, and stays allowed only while they are."""

    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="blog_delegations")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="blog_delegations")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            # One delegation in force per official and body (the service checks first; this holds under a race).
            models.UniqueConstraint(
                fields=["body", "official"], condition=models.Q(withdrawn_at__isnull=True), name="blog_delegation_one_in_force"
            )
        ]
        verbose_name = _("delegation of a blog")
        verbose_name_plural = _("delegations of blogs")

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Post(Translated):
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="blog_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title_kk = models.CharField(max_length=200, blank=True)
    title_ru = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True)
    # Markdown or plain text; rendered with raw HTML escaped (markup.py).
    text_kk = models.TextField(blank=True)
    text_ru = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    # Readers may ask the head a question under a published post (an appeal on the blog channel).
    accepts_questions = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The first publication; a post taken back to draft keeps it.
    published_at = models.DateTimeField(null=True, blank=True)
    # Written by an official in the head's name (Delegation): the post says it was published on the head's behalf.
    delegation = models.ForeignKey(Delegation, null=True, blank=True, on_delete=models.PROTECT, related_name="posts")

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [
            # A body's blog: its published posts, newest first.
            models.Index(fields=["body", "status", "-published_at"], name="blog_post_body_published"),
        ]
        verbose_name = _("blog post")
        verbose_name_plural = _("blog posts")

    def __str__(self):
        return self.title or f"#{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED


class Conference(Translated):
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="conferences")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title_kk = models.CharField(max_length=200, blank=True)
    title_ru = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True)
    description_kk = models.TextField(blank=True)
    description_ru = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    # Questions are taken in this window, which ends no later than the conference starts.
    questions_open_at = models.DateTimeField()
    questions_close_at = models.DateTimeField()
    # The live video on an outside service (https only); the recording afterwards, if the body keeps one.
    video_url = models.URLField(max_length=500)
    recording_url = models.URLField(max_length=500, blank=True)
    # Announced: the public sees it. Before that it is the head's draft.
    announced_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["body", "starts_at"], name="conference_body_starts")]
        verbose_name = _("web conference")
        verbose_name_plural = _("web conferences")

    def __str__(self):
        return self.title or f"#{self.pk}"

    @property
    def is_announced(self) -> bool:
        return self.announced_at is not None

    def questions_open(self, now) -> bool:
        return (
            self.announced_at is not None
            and self.cancelled_at is None
            and self.questions_open_at <= now < self.questions_close_at
        )

    def ends_at(self):
        import datetime as dt

        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class Question(models.Model):
    """The link from an appeal on the blog or web-conference channel to the post or conference it was asked at.
    Exactly one of the two is set."""

    appeal = models.OneToOneField("dialogue.Appeal", on_delete=models.PROTECT, related_name="blog_question")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="questions")
    conference = models.ForeignKey(Conference, null=True, blank=True, on_delete=models.PROTECT, related_name="questions")
    asked_at = models.DateTimeField()

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(post__isnull=False, conference__isnull=True) | models.Q(post__isnull=True, conference__isnull=False)
                ),
                name="blog_question_post_or_conference",
            )
        ]
        verbose_name = _("question to a blog or conference")
        verbose_name_plural = _("questions to blogs and conferences")


class EventKind(models.TextChoices):
    POST_CREATED = "post_created", _("post written")
    POST_EDITED = "post_edited", _("post edited")
    POST_PUBLISHED = "post_published", _("post published")
    POST_UNPUBLISHED = "post_unpublished", _("post taken back to draft")
    CONFERENCE_CREATED = "conference_created", _("conference planned")
    CONFERENCE_EDITED = "conference_edited", _("conference changed")
    CONFERENCE_ANNOUNCED = "conference_announced", _("conference announced")
    CONFERENCE_CANCELLED = "conference_cancelled", _("conference cancelled")
    QUESTION_ASKED = "question_asked", _("question asked")
    DELEGATED = "delegated", _("blog delegated to an official")
    DELEGATION_WITHDRAWN = "delegation_withdrawn", _("delegation of the blog withdrawn")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Blog events are append-only.")

    def delete(self):
        raise PermissionError("Blog events are append-only.")


class BlogEvent(models.Model):
    """Who changed which post or conference, or delegated the blog, and when. Never changed. (A question's own record
    is its appeal's.) An official writing in the head's name is the actor; `delegation` names the delegation they
    acted under."""

    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    conference = models.ForeignKey(Conference, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    delegation = models.ForeignKey(Delegation, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Blog events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Blog events are append-only.")
