"""Appeals, their append-only event log, answers, feedback and attachments.

The event log is the truth of an appeal's history; `Appeal.status`, `body`, `due_on` and `executor`
are kept beside it for fast lists and always equal a replay of the events (see replay.py).
Overdue is never stored: it is computed from `due_on` and today (deadlines.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Regulation(models.Model):
    """The procedural rules an appeal is considered under. Versioned: appeals keep the version they were registered under."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=255)
    legal_basis = models.TextField(blank=True)
    effective_from = models.DateField()
    answer_working_days = models.PositiveSmallIntegerField(default=15)
    redirect_working_days = models.PositiveSmallIntegerField(default=3)
    extension_max_months = models.PositiveSmallIntegerField(default=2)
    very_overdue_working_days = models.PositiveSmallIntegerField(default=15)
    soon_due_working_days = models.PositiveSmallIntegerField(default=3)
    calendar_country = models.CharField(max_length=2, default="KZ")

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self):
        # The seeded APPC title is in the catalog (its migration marks it), so receipts read it in the reader's
        # language; a version an administrator types later is shown as typed.
        return f"v{self.version}: {gettext(self.title)}"

    def save(self, *args, **kwargs):
        # A version that appeals were registered under is frozen: changing it would rewrite their deadlines.
        if self.pk and self.appeals.exists():
            raise ValueError("This regulation version is in use; create a new version instead.")
        super().save(*args, **kwargs)


class AppealType(models.TextChoices):
    APPLICATION = "application", _("application")
    COMPLAINT = "complaint", _("complaint")
    REPORT = "report", _("report")
    FEEDBACK = "feedback", _("feedback")
    PROPOSAL = "proposal", _("proposal")
    REQUEST = "request", _("request")


class Channel(models.TextChoices):
    """Which door of the "Hearing State" an appeal came through. Every channel keeps the same statutory terms,
    moderation and record; the channel only says where the citizen wrote, so the public record, the assessment
    and the content analysis can show each channel's appeals apart."""

    OPEN_DIALOGUE = "open_dialogue", _("Open Dialogue")
    VIRTUAL_RECEPTION = "virtual_reception", _("Virtual Reception of the President")
    BLOG = "blog", _("a head's blog")
    WEB_CONFERENCE = "web_conference", _("web conference")


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATUSES = (Status.REGISTERED, Status.IN_PROGRESS)


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("resolved: measures taken")
    EXPLAINED = "explained", _("explained")
    REFUSED = "refused", _("refused")
    LEFT_WITHOUT_CONSIDERATION = "left_without_consideration", _("left without consideration")


OUTCOMES_NEEDING_GROUND = (Outcome.REFUSED, Outcome.LEFT_WITHOUT_CONSIDERATION)


class Resolution(models.TextChoices):
    YES = "yes", _("yes, my problem was solved")
    PARTLY = "partly", _("partly")
    NO = "no", _("no")


def published_q(prefix: str = "") -> models.Q:
    """The one definition of a published appeal, as a filter: public by the applicant's choice, approved by a
    moderator, not hidden after reports. `prefix` reaches it through a relation ("appeal__")."""
    return models.Q(**{f"{prefix}is_public": True, f"{prefix}published_at__isnull": False, f"{prefix}hidden_at__isnull": True})


class AppealQuerySet(models.QuerySet):
    def published(self):
        """The appeals anyone may read (published_q)."""
        return self.filter(published_q())


class Appeal(models.Model):
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # None only for an anonymous report of a crime or a threat to public safety (APPC: the one kind of anonymous
    # appeal that is considered), registered after a moderator screened it (AnonymousReport).
    # db_index=False here and on the other keys below that lead a composite index of the model's Meta: that index
    # serves the key's lookups and its foreign-key checks, and a second, single-column one only costs every write.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals", db_index=False
    )
    type = models.CharField(max_length=20, choices=AppealType.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OPEN_DIALOGUE)
    subject = models.CharField(max_length=255)
    text = models.TextField()
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="appeals", db_index=False)
    is_public = models.BooleanField(default=False)
    # The applicant may choose to be shown by name on a public appeal; otherwise their pseudonym is shown.
    show_name = models.BooleanField(default=False)
    # The public record. The original subject and text above never leave the database through a public
    # path: public pages, the public API, feeds and exports read only these moderated, redacted copies.
    public_subject = models.CharField(max_length=255, blank=True)
    public_text = models.TextField(blank=True)
    # Set by moderation when a public appeal may be shown to everyone.
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when reports of abuse pass the threshold or a moderator hides it; it is then not public.
    hidden_at = models.DateTimeField(null=True, blank=True)

    addressed_body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="appeals", db_index=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="executing"
    )
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="appeals")
    registered_at = models.DateTimeField()
    # The day the current body registered it: the original registration, or the day it arrived by redirect.
    received_on = models.DateField()
    due_on = models.DateField()
    complaint_about = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="complaint")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (NULL: no key; unique only when given)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="appeal_unique_idempotency_key_per_applicant",
            )
        ]
        indexes = [
            models.Index(fields=["body", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["applicant", "-registered_at"]),
            # A region's appeals of one month (the assessment's refresh after every event).
            models.Index(fields=["region", "registered_at"], name="appeal_region_registered"),
            # One channel's appeals of a period (the assessment's and the dashboard's figures by channel).
            models.Index(fields=["channel", "registered_at"], name="appeal_channel_registered"),
            # The inbox: a body's open appeals, soonest due first, read in index order and cut at the
            # page limit instead of sorting every open appeal of a busy body (docs/benchmarks.md).
            models.Index(
                fields=["body", "due_on", "registered_at"],
                condition=models.Q(status__in=["registered", "in_progress"]),
                name="appeal_inbox_open",
            ),
            # The inbox with answered and withdrawn appeals (?closed=1): every appeal of the body in the same
            # order, read in index order (ids included: no table visit) and cut at the page instead of sorting them all.
            models.Index(fields=["body", "due_on", "registered_at", "id"], name="appeal_inbox_all"),
        ]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self):
        return f"{self.number}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymous(self) -> bool:
        return self.applicant_id is None

    @property
    def is_published(self) -> bool:
        """published_q for one appeal in hand (tests/test_published.py checks the two agree)."""
        return self.is_public and self.published_at is not None and self.hidden_at is None


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("registered")
    EXECUTOR_ASSIGNED = "executor_assigned", _("executor assigned")
    REDIRECTED = "redirected", _("redirected")
    EXTENDED = "extended", _("deadline extended")
    ANSWERED = "answered", _("answered")
    FEEDBACK = "feedback", _("applicant's feedback")
    COMPLAINED = "complained", _("complaint about the answer filed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    # The public record (moderation): these change what the public sees, never the appeal's status.
    PUBLISHED = "published", _("published after moderation")
    PUBLICATION_REFUSED = "publication_refused", _("publication refused by moderation")
    ANSWER_PUBLISHED = "answer_published", _("answer published after moderation")
    HIDDEN = "hidden", _("hidden pending review")
    RESTORED = "restored", _("restored after review")
    REASONS_PUBLISHED = "reasons_published", _("officials' reasons published after moderation")
    # A signature over the appeal's text (by the applicant: EDS or an SMS code) or the answer's (by the official, EDS):
    # Signature.
    SIGNED = "signed", _("signed")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Appeal events are append-only.")

    def delete(self):
        raise PermissionError("Appeal events are append-only.")


class AppealEvent(models.Model):
    """One step of an appeal's history: who did what, when, between which bodies and why. Never changed."""

    # Not indexed alone: (appeal, seq) and (to_body, kind, at) below lead with them (Appeal.applicant says why).
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_body = models.ForeignKey("bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_body = models.ForeignKey("bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Hash chain (integrity.py): this event's digest and the digest of the event before it.
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["appeal", "seq"]
        constraints = [models.UniqueConstraint(fields=["appeal", "seq"], name="appeal_event_unique_seq")]
        # A body's events of one kind over a period: the assessment's refresh after every event reads these.
        indexes = [models.Index(fields=["to_body", "kind", "at"], name="appeal_event_body_kind_at")]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Appeal events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Appeal events are append-only.")

    def __str__(self):
        return f"{self.appeal_id}#{self.seq} {self.kind}"


class StayEnding(models.TextChoices):
    REDIRECTED = "redirected", _("redirected")
    ANSWERED = "answered", _("answered")
    WITHDRAWN = "withdrawn", _("withdrawn")


class AppealStay(models.Model):
    """One stay of an appeal at a body: from its registration there, or its arrival by redirect, to how it left.

    The route of an appeal, kept by the services in the same transaction as the event that starts or ends a stay
    (stays.py), and always equal to a replay of the events (stays.replay_stays, checked by a test like `status`).
    It holds what is known when the step happens: who held the appeal, from when to when, how it left, and for
    the stay that ended with the answer the answer's facts. What follows later (the applicant's verdict, a
    complaint upheld, whether the receiver of a redirect decided the matter) stays in its own tables, so
    whoever judges a stay by what followed reads both. One exception: when the applicant next wrote to the
    answering body (`next_appeal_at`), recorded on the answered stay when that later appeal is registered, since
    finding it otherwise means searching every later appeal. One narrow row per stay, indexed by body and month,
    so the figures of every body aggregate this table instead of joining the wide ones."""

    # Not indexed alone: (appeal, seq) and (body, month) below lead with them (Appeal.applicant says why).
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="stays", db_index=False)
    seq = models.PositiveSmallIntegerField(help_text="1 for the registration, then one more for each redirect")
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="+", db_index=False)
    # The body the applicant wrote to (the first stay's): "not ours" answers count differently elsewhere.
    addressed = models.BooleanField()
    received_at = models.DateTimeField()
    # The day in Kazakhstan the body received it, and the first day of that month (the assessment's cohort).
    received_on = models.DateField()
    month = models.DateField()
    # The current due date while the body holds the appeal (extensions move it); the last one after.
    due_on = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=20, choices=StayEnding.choices, blank=True)
    # The answer's facts, when the stay ended with the body's answer.
    outcome = models.CharField(max_length=40, choices=Outcome.choices, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_on_time = models.BooleanField(null=True, blank=True)
    # The body extended the term of this appeal before answering it.
    extended = models.BooleanField(default=False)
    # When it answered, the applicant was on the staff of the body (an answer to oneself).
    applicant_staff = models.BooleanField(default=False)
    # After the answer: when the same applicant next wrote to this body (the registration of their first appeal
    # addressed to it after the answer), kept by the services when that appeal is registered (stays.py). A fact
    # about what followed, so the assessment counts "repeats" (within its configured window) from this row
    # instead of searching every later appeal.
    next_appeal_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appeal", "seq"]
        constraints = [models.UniqueConstraint(fields=["appeal", "seq"], name="appeal_stay_unique_seq")]
        indexes = [models.Index(fields=["body", "month"], name="appeal_stay_body_month")]

    def __str__(self):
        return f"{self.appeal_id}/{self.seq} at {self.body_id}: {self.ending or 'held'}"


class Answer(models.Model):
    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="answer")
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    outcome = models.CharField(max_length=40, choices=Outcome.choices)
    legal_ground = models.TextField(blank=True)
    answered_at = models.DateTimeField()
    answered_on_time = models.BooleanField()
    # The moderated, redacted copies shown on a published appeal: the answer and its legal ground, approved together
    # by a moderator (published_at); empty until then, and the originals above never leave through a public path.
    public_text = models.TextField(blank=True)
    public_legal_ground = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["body", "answered_at"], name="answer_body_answered_at"),
            # A body's public page: its published answers, newest first.
            models.Index(
                fields=["body", "-published_at", "-id"],
                condition=models.Q(published_at__isnull=False),
                name="answer_body_published",
            ),
            # The home page: the latest published answers of all bodies.
            models.Index(
                fields=["-published_at", "-id"], condition=models.Q(published_at__isnull=False), name="answer_published_latest"
            ),
        ]


class SignedText(models.TextChoices):
    APPEAL = "appeal", _("the appeal, by the applicant")
    ANSWER = "answer", _("the answer, by the official")


class SignatureMethod(models.TextChoices):
    EDS = "eds", _("digital signature (EDS)")
    SMS = "sms", _("one-time code by SMS")


class AppendOnlySignatures(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Signatures are append-only.")

    def delete(self):
        raise PermissionError("Signatures are append-only.")


class Signature(models.Model):
    """A signature over the text of an appeal or of its answer, as checked when it was sent: a digital signature (EDS,
    core/eds.py) or the applicant's one-time code sent by SMS to their verified phone. Kept beside the record's SIGNED
    event, whose data carries the text's SHA-256 and, for EDS, the fingerprints of the CMS and of the certificate (so
    the hash chain covers them). Only statutory facts live here (how, when, what text, the certificate's validity and
    issuer): they never change. The signer's personal facts (name, the CMS with the IIN inside, the phone's hash) are
    in SignerDetails, which anonymising the signer's account deletes."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="signatures")
    event = models.OneToOneField(AppealEvent, on_delete=models.PROTECT, related_name="signature")
    signed = models.CharField(max_length=10, choices=SignedText.choices)
    method = models.CharField(max_length=10, choices=SignatureMethod.choices, default=SignatureMethod.EDS)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # SHA-256 of the signed text (core.eds.normalise_text, UTF-8): a text changed after signing no longer matches.
    text_sha256 = models.CharField(max_length=64, blank=True, default="")
    issuer = models.CharField(max_length=300, blank=True)
    # The certificate's validity (EDS only; an SMS signature has no certificate).
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField()

    objects = AppendOnlySignatures.as_manager()

    class Meta:
        ordering = ["appeal", "event"]
        constraints = [models.UniqueConstraint(fields=["appeal", "signed"], name="signature_one_per_text")]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Signatures are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Signatures are append-only.")

    def __str__(self):
        return f"{self.appeal_id} {self.signed} {self.method} {self.checked_at:%Y-%m-%d}"

    def _detail(self, name: str):
        try:
            return getattr(self.details, name)
        except SignerDetails.DoesNotExist:
            return ""  # anonymised: the signer's facts are gone, the signature's stay

    @property
    def signer_name(self) -> str:
        return self._detail("signer_name")

    @property
    def organisation(self) -> str:
        return self._detail("organisation")

    @property
    def certificate_serial(self) -> str:
        return self._detail("certificate_serial")


class SignerDetailsQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("A signer's details are never changed, only erased with the signer's identity.")


class SignerDetails(models.Model):
    """The signer's personal facts of one Signature, in a row of their own so that removing them leaves the signature
    and its record whole: the name and organisation on the certificate, its serial number, the CMS itself (the
    certificate inside it carries the name and the IIN), and for an SMS signature the keyed hash of the phone (never
    the number). Written once with the signature; never changed; deleted only by services.erase_signer_details, when
    the signer's account is anonymised (at their request or by the retention rules)."""

    signature = models.OneToOneField(Signature, primary_key=True, on_delete=models.CASCADE, related_name="details")
    cms = models.BinaryField(blank=True, default=b"")
    signer_name = models.CharField(max_length=300, blank=True)
    organisation = models.CharField(max_length=300, blank=True)
    certificate_serial = models.CharField(max_length=80, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)

    objects = SignerDetailsQuerySet.as_manager()

    class Meta:
        verbose_name = _("signer's details")
        verbose_name_plural = _("signers' details")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A signer's details are never changed, only erased with the signer's identity.")
        super().save(*args, **kwargs)


# Steps whose reason an official writes for the public record (a redirect's, an extension's). The public reads it
# only from its moderated copy (PublicReason); the answer's legal ground has its copy on the Answer.
REASONED_KINDS = (EventKind.REDIRECTED, EventKind.EXTENDED)


class PublicReason(models.Model):
    """The moderated copy of an official's reason on one step of an appeal (a redirect, an extension).

    A moderator approves it, redacted (`published`, with `text`), or refuses it (not `published`, `text` empty);
    until one of the two, the reason awaits moderation and the public sees none. Kept beside the append-only event
    rather than in it: the event records what the official wrote, this what the public may read of it."""

    event = models.OneToOneField(AppealEvent, on_delete=models.PROTECT, related_name="public_reason")
    text = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("public copy of a reason")
        verbose_name_plural = _("public copies of reasons")


class Feedback(models.Model):
    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="feedback")
    resolution = models.CharField(max_length=10, choices=Resolution.choices)
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5")]


def attachment_path(instance, filename):
    # The stored name is ours, never the uploader's: no path tricks, no personal data in file names.
    return f"attachments/{instance.appeal_id}/{instance.sha256[:16]}-{instance.token}.{instance.extension}"


class Attachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    token = models.CharField(max_length=32)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    # A moderator approves each file of a public appeal separately: scans often show personal data.
    is_public = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class SearchDocument(models.Model):
    """The words of an appeal's public record as the search reads them (dialogue/search.py): one key per
    word (Russian stems, Kazakh stems, Latin-script Kazakh read in Cyrillic; core/wordforms.py), in order,
    for the public subject, the public text and the published answer, and the words as written, for quoted
    phrases. Derived from the public copies only, rewritten whenever they change (one row per appeal), and
    rebuilt by `manage.py rebuild_search_index`.

    A row exists only while its appeal is published (models.published_q): it is removed in the same
    transaction that hides or unpublishes the appeal and written again when it is restored. With the
    appeal's registration time (the search's order key) on the row, a search without other filters finds
    and orders its page from this table alone and reads the appeals of that page only (search.page_ids)."""

    appeal = models.OneToOneField(Appeal, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    subject = models.TextField(blank=True)
    text = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    exact = models.TextField(blank=True)
    registered_at = models.DateTimeField()  # the appeal's, copied: results are newest first

    class Meta:
        indexes = [models.Index(fields=["-registered_at", "-appeal"], name="search_document_recent")]


class RecordLeaf(models.Model):
    """One event's place in the Merkle tree of the whole record (transparency.py): the tree's leaves in order.

    Added in bulk by the daily checkpoint, off the request path, so an event's write never grows with the
    data. No database constraint ties it to the event: a leaf must outlive an event deleted behind the
    application's back, to name it (appeal, seq) when the record is checked."""

    index = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AppealEvent, on_delete=models.DO_NOTHING, db_constraint=False, related_name="leaf")
    appeal = models.ForeignKey(Appeal, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    appeal_number = models.CharField(max_length=20)
    seq = models.PositiveIntegerField()
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["index"]


class RecordCheckpoint(models.Model):
    """A signed statement of the record at a moment: the tree's size and root (Ed25519, transparency.py).
    Published daily at /open-data/checkpoints.json and in the open export."""

    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    signed_at = models.CharField(max_length=40, help_text="ISO 8601, UTC: the exact text signed")
    signature = models.CharField(max_length=100)
    public_key = models.CharField(max_length=60)
    # The tree's right edge (perfect subtrees' sizes and roots): the next checkpoint extends it without
    # reading earlier leaves, and it answers the consistency proof from this checkpoint.
    frontier = models.JSONField(default=list)
    # RFC 6962 consistency proof from the previous checkpoint to this one (hex hashes).
    consistency_proof = models.JSONField(default=list)

    class Meta:
        ordering = ["tree_size", "pk"]


class AnonymousGround(models.TextChoices):
    CRIME = "crime", _("a crime being prepared or committed")
    PUBLIC_SAFETY = "public_safety", _("a threat to public safety")


class AnonymousReport(models.Model):
    """A report sent without an account. The APPC does not consider anonymous appeals, except reports of crimes and
    threats to public safety; a moderator screens each one first (spam, abuse, not such a report) and registers it
    as an appeal without an applicant, or refuses it with a reason. The sender follows it by its reference, the
    only link back to them: no name, no contact, no address is kept (the address is counted in the cache only)."""

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting screening")
        REGISTERED = "registered", _("registered as an appeal")
        REFUSED = "refused", _("refused")

    reference = models.CharField(max_length=32, unique=True)
    ground = models.CharField(max_length=20, choices=AnonymousGround.choices)
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=255)
    text = models.TextField()
    received_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    appeal = models.OneToOneField(Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="anonymous_report")

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["state", "received_at"], name="anonymous_report_queue")]
        verbose_name = _("anonymous report")
        verbose_name_plural = _("anonymous reports")


class StaffNotificationPreference(models.Model):
    """What an official or head of a body wants by email: each appeal assigned to their body, and the daily digest
    of its appeals due within three working days or overdue. No row: both, the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_notifications")
    each_appeal = models.BooleanField(_("an email for each appeal assigned to my body"), default=True)
    daily_digest = models.BooleanField(_("a daily digest of appeals due soon and overdue"), default=True)
