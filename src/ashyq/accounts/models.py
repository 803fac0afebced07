import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin

from ashyq.core.identity import Level
from ashyq.core.roles import BODY_ROLES, Role  # noqa: F401 - Role is also imported from here by the apps above accounts

ALIAS_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


def new_public_alias() -> str:
    return "".join(secrets.choice(ALIAS_ALPHABET) for _ in range(6))


class User(AbstractUser):
    """Anyone who signs in. Officials and heads belong to exactly one body and act only on its appeals."""

    # Null only once the account is anonymised (services.anonymise): no address, so no email is ever sent.
    # Forms still require it (blank=False); several anonymised accounts may share NULL under the unique index.
    email = models.EmailField(_("email address"), unique=True, null=True)  # noqa: DJ001 - NULL, not "", keeps the unique index
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.APPLICANT)
    body = models.ForeignKey(
        "bodies.Body",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Required for officials and heads: the body they act for."),
    )
    # A stable pseudonym for the public record ("Applicant 7KQ2M9"), the same on all their public appeals.
    public_alias = models.CharField(max_length=12, unique=True, default=new_public_alias, editable=False)
    language = models.CharField(
        max_length=5,
        default="kk",
        choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
        help_text=_("Language of the emails Ashyq sends."),
    )
    # When the person's identity was removed (at their request or by the retention rules, docs/operations.md).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    def clean(self):
        super().clean()
        if self.role in BODY_ROLES and not self.body_id:
            raise ValidationError({"body": _("Officials and heads must belong to a body.")})
        if self.role not in BODY_ROLES and self.body_id:
            raise ValidationError({"body": _("Only officials and heads belong to a body.")})

    @property
    def is_body_staff(self) -> bool:
        return self.role in BODY_ROLES and self.body_id is not None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def pseudonym(self) -> str:
        from django.utils.translation import gettext

        return gettext("Applicant %(alias)s") % {"alias": self.public_alias}


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        token = "ashyq_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, digest=cls.hash(token), prefix=token[6:14]), token


ANONYMISED_USERNAME_PREFIX = "anonymised-"


class PurgeRun(models.Model):
    """One run of `purge_personal_data`: when, under which retention periods, and how many records each rule
    changed. Counts only: the trace of a purge must not keep what the purge removed."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    # {rule: period as configured, e.g. "30 days", or null when the rule is off}
    periods = models.JSONField(default=dict)
    # {rule: number of records deleted, blanked, anonymised or revoked}
    counts = models.JSONField(default=dict)
    # Rules that failed and were rolled back (their records are left for the next run); the log has the traceback.
    failed = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("personal-data purge")
        verbose_name_plural = _("personal-data purges")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {sum(self.counts.values())}"


class VerificationMethod(models.TextChoices):
    EMAIL = "email", _("email confirmed")
    SMS = "sms", _("SMS code to a phone")
    EDS = "eds", _("digital signature (EDS)")
    IN_PERSON = "in_person", _("in person, by an official")


# The level each method gives (core.identity.Level).
METHOD_LEVELS = {
    VerificationMethod.EMAIL: Level.EMAIL,
    VerificationMethod.SMS: Level.PHONE,
    VerificationMethod.EDS: Level.SIGNATURE,
    VerificationMethod.IN_PERSON: Level.SIGNATURE,
}


class Verification(models.Model):
    """One proof of who a person is: how, what level it gives, when, until when. Of the phone number or IIN it was
    made with only a keyed hash is kept (identifiers.identity_hash): enough to find a second account of the same
    person, nothing anyone can read. Never edited: a renewal adds a row and revokes the one it replaces."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    method = models.CharField(max_length=20, choices=VerificationMethod.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    identity_hash = models.CharField(max_length=64, blank=True, default="")
    # In person: the official who checked the identity document.
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            # One person, one account: a phone number or IIN confirms at most one account at a time.
            models.UniqueConstraint(
                fields=["identity_hash"],
                condition=models.Q(revoked_at__isnull=True) & ~models.Q(identity_hash=""),
                name="verification_one_account_per_identity",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="verification_user_current")]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self):
        return f"{self.user_id} {self.method} {self.granted_at:%Y-%m-%d}"

    def is_current(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class PhoneDevice(ThrottlingMixin, CooldownMixin, SideChannelDevice):
    """The SMS code an account is confirming its phone with (django-otp: the code, its expiry, single use, the backoff
    after wrong codes, the wait before another code). The phone itself is not stored: only its keyed hash."""

    phone_hash = models.CharField(max_length=64)
    failed_tries = models.PositiveSmallIntegerField(default=0)
    # What the waiting code is for: "" confirms the phone; "sign:<SHA-256 of a text>" signs that exact text (an
    # appeal), so a code sent for one purpose or text never serves another.
    purpose = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="phone_device_one_per_user")]

    def get_throttle_factor(self):
        return 1

    def get_cooldown_duration(self):
        from django.conf import settings

        return settings.ASHYQ_SMS_RESEND_SECONDS
