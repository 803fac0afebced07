"""Moderation of the public record: the moderators' edits of proposed redactions, their decisions, and
reports of abuse. The appeal's original subject, text and answer are never changed here; a decision
writes only the public copies (Appeal.public_subject/public_text, Answer.public_text) and the flags
that say what the public may see, and every decision is also an event in the appeal's chain.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    APPEAL = "appeal", _("appeal awaiting publication")
    ANSWER = "answer", _("answer awaiting publication")
    HIDDEN = "hidden", _("appeal hidden after reports")
    # Officials' reasons on a published appeal's later steps (a redirect, an extension), each moderated like the
    # applicant's text before the public reads it. Reasons written before publication are part of the appeal's item.
    REASONS = "reasons", _("officials' reasons awaiting publication")


class Field(models.TextChoices):
    SUBJECT = "subject", _("subject")
    TEXT = "text", _("text")
    ANSWER = "answer", _("text of the answer")
    LEGAL_GROUND = "ground", _("legal ground of the answer")


# The fields every item of a target has. An item also has one field per official's reason awaiting moderation,
# named REASON_FIELD_PREFIX + the step's number in the appeal's record (selectors.fields_of).
FIELDS_OF = {
    Target.APPEAL: (Field.SUBJECT, Field.TEXT),
    Target.ANSWER: (Field.ANSWER, Field.LEGAL_GROUND),
    Target.HIDDEN: (),
    Target.REASONS: (),
}
REASON_FIELD_PREFIX = "reason-"


class RedactionKind(models.TextChoices):
    NAME = "NAME", _("name")
    IIN = "IIN", _("IIN")
    BIN = "BIN", _("BIN")
    PHONE = "PHONE", _("phone number")
    EMAIL = "EMAIL", _("email")
    CARD = "CARD", _("bank card")
    IBAN = "IBAN", _("bank account (IBAN)")
    ADDRESS = "ADDRESS", _("address")
    USERNAME = "USERNAME", _("username in a messenger or social network")
    OTHER = "OTHER", _("other personal data")


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved for publication")
    REFUSED = "refused", _("publication refused")
    RESTORED = "restored", _("restored")
    KEPT_HIDDEN = "kept_hidden", _("kept hidden")


class RefusalReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("personal data that cannot be redacted")
    OFFENSIVE = "offensive", _("offensive content")
    NOT_AN_APPEAL = "not_an_appeal", _("not an appeal")
    DUPLICATE = "duplicate", _("duplicate")


class ReportReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("it shows someone's personal data")
    OFFENSIVE = "offensive", _("it is offensive or insulting")
    SPAM = "spam", _("spam or advertising")
    OTHER = "other", _("other")


class RedactionEdit(models.Model):
    """A moderator added or removed a redaction of one field. The proposal a moderator sees is the
    automatic one (redaction.py) with these edits applied in order. Offsets point into the original,
    which never changes."""

    ADD, REMOVE = "add", "remove"

    appeal = models.ForeignKey("dialogue.Appeal", on_delete=models.PROTECT, related_name="redaction_edits")
    field = models.CharField(max_length=20)  # a Field, or REASON_FIELD_PREFIX + a step's number
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=RedactionKind.choices)
    action = models.CharField(max_length=6, choices=[(ADD, ADD), (REMOVE, REMOVE)])
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class ModerationDecision(models.Model):
    """Who decided what about an appeal's public record, when and why, with the redactions applied."""

    appeal = models.ForeignKey("dialogue.Appeal", on_delete=models.PROTECT, related_name="moderation_decisions")
    target = models.CharField(max_length=10, choices=Target.choices)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.CharField(max_length=20, choices=RefusalReason.choices, blank=True)
    note = models.TextField(blank=True)
    # [{"field", "start", "end", "kind", "text", "source"}]: moderators only; never copied into the event.
    redactions = models.JSONField(default=list, blank=True)
    public_attachments = models.JSONField(default=list, blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    event = models.ForeignKey("dialogue.AppealEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["appeal", "target", "decision"])]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")

    def __str__(self):
        return f"{self.appeal_id} {self.target} {self.decision}"


class AbuseReport(models.Model):
    """Someone reported a published appeal or answer. Open until a moderator reviews the appeal."""

    appeal = models.ForeignKey("dialogue.Appeal", on_delete=models.PROTECT, related_name="abuse_reports")
    target = models.CharField(max_length=10, choices=[(Target.APPEAL, _("the appeal")), (Target.ANSWER, _("the answer"))])
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    comment = models.TextField(blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A keyed hash of the reporter's address: enough to count distinct reporters, not to find them.
    address_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.ForeignKey(ModerationDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["appeal", "resolved_at"])]
        verbose_name = _("report of abuse")
        verbose_name_plural = _("reports of abuse")
