"""Account changes: sign-up with email confirmation, the sign-in lockout, and anonymisation."""
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ANONYMISED_USERNAME_PREFIX, ApiToken, Role, User

logger = logging.getLogger("ashyq.accounts")

CONFIRM_SALT = "ashyq.accounts.confirm-email"
CONFIRM_MAX_AGE = 3 * 24 * 3600


def sign_up(form) -> User:
    """Create an inactive applicant account and email the confirmation link."""
    with transaction.atomic():
        user = form.save(commit=False)
        user.role = Role.APPLICANT
        user.is_active = False
        user.save()
        transaction.on_commit(lambda: _send_confirmation(user))
    return user


def resend_confirmation(email: str) -> None:
    """Send a fresh confirmation link if an unconfirmed account has this email. Says nothing either way,
    so the form cannot be used to learn which addresses have accounts."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=False, last_login__isnull=True).first()
    if user is not None:
        _send_confirmation(user)


def _send_confirmation(user):
    """Email the confirmation link. A mail server that is down must not turn sign-up into an error page:
    the account waits, and the person can ask for the link again."""
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)
    url = settings.ASHYQ_SITE_URL.rstrip("/") + reverse("accounts:confirm", args=[token])
    try:
        with translation.override(user.language):
            body = render_to_string("accounts/email/confirm.txt", {"user": user, "url": url})
            send_mail(_("Confirm your email for Ashyq"), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        logger.exception("Could not email the confirmation link to user %s", user.pk)


def confirm_email(token: str) -> User | None:
    """Activate the account the token was issued for; None if the token is bad or expired."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("u"), email=payload.get("e")).first()
    if user is None:
        return None
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


# --- Sign-in lockout ----------------------------------------------------------------------------------
# After ASHYQ_LOGIN_MAX_FAILURES failed sign-ins for one username within ASHYQ_LOGIN_LOCKOUT_MINUTES,
# further attempts for that username are refused (even with the right password) until the oldest of
# those failures is that old. Counted per username whether or not the account exists, so the refusal
# says nothing about which accounts exist. Kept in the cache (shared in production, docs/operations.md),
# timed by ashyq.core.clock. Per-address limits are django-ratelimit's, on the login views.

def _failures_key(username: str) -> str:
    import hashlib

    return "ashyq:login-failures:" + hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()


def _window_seconds() -> int:
    return settings.ASHYQ_LOGIN_LOCKOUT_MINUTES * 60


def _recent_failures(username: str) -> list[float]:
    from django.core.cache import cache

    from ashyq.core import clock

    now = clock.now().timestamp()
    return [t for t in cache.get(_failures_key(username), []) if now - t < _window_seconds()]


def login_locked(username: str) -> bool:
    return len(_recent_failures(username)) >= settings.ASHYQ_LOGIN_MAX_FAILURES


def record_login_failure(username: str) -> None:
    from django.core.cache import cache

    from ashyq.core import clock

    failures = _recent_failures(username)
    if len(failures) >= settings.ASHYQ_LOGIN_MAX_FAILURES:
        return  # already locked: refused attempts do not prolong the lock
    failures.append(clock.now().timestamp())
    cache.set(_failures_key(username), failures, timeout=_window_seconds() + 60)


def reset_login_failures(username: str) -> None:
    from django.core.cache import cache

    cache.delete(_failures_key(username))


def lockout_message() -> str:
    return _(
        "Too many failed sign-in attempts for this username. For your security, signing in with it is paused "
        "for %(minutes)d minutes; please try again later."
    ) % {"minutes": settings.ASHYQ_LOGIN_LOCKOUT_MINUTES}


# --- Anonymisation ------------------------------------------------------------------------------------
# The appeal record (appeals, their hash-chained events, answers, attachments) is a state record with its own
# statutory retention: it stays whole. What goes is the link from it to a person: the account's names, email,
# username and password. The pseudonym stays, so what the public sees does not change (docs/operations.md).

def anonymised_username(user) -> str:
    # Sign-up refuses names with this prefix (forms.SignUpForm), so no one can hold it before anonymisation.
    return f"{ANONYMISED_USERNAME_PREFIX}{user.pk}"


def anonymise(user: User, *, why: str) -> User:
    """Remove the person from the account, in the caller's transaction, with the user row locked by the caller.

    - names blank, email none (notifications skip an account without one), username neutral, password unusable;
    - inactive, API tokens revoked: nothing can sign in or call the API as this account again. Other sessions
      fail at their next request (Django checks the session against the password hash, and the account is
      inactive); their rows hold only the account's number and go when they expire (retention.py);
    - admin log lines about the account no longer name it;
    - the appeals are untouched: their events and hash chains, and `show_name`. A public appeal published
      under the person's name keeps show_name on: with the name gone it shows neither name nor pseudonym
      (dialogue/public_views.public_applicant), because showing the pseudonym there would tie the person's
      other appeals to the name that page carried before.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from ashyq.core import clock

    now = clock.now()
    old_username = user.username
    user.username = anonymised_username(user)
    user.first_name = user.last_name = ""
    user.email = None
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.anonymised_at = now
    user.save(update_fields=["username", "first_name", "last_name", "email", "password", "is_active", "is_staff",
                             "is_superuser", "anonymised_at"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=str(user)
    )
    transaction.on_commit(lambda: reset_login_failures(old_username))
    logger.info("Account %s anonymised (%s)", user.pk, why)
    return user


def require_can_anonymise(actor) -> None:
    """Only applicants anonymise themselves. Staff accounts act for a body: an administrator deactivates them, and
    their names stay on the steps they took, which the record needs."""
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.APPLICANT and actor.anonymised_at is None):
        raise PermissionDenied(_("Only applicants can anonymise their own account. Staff accounts are closed by an administrator."))


def anonymise_own_account(actor, *, password: str, confirmed: bool) -> User:
    """An applicant removes their identity from their account. Refused while an appeal of theirs is open:
    the body must still be able to answer it and the answer must reach them; they can withdraw it first."""
    from .selectors import open_appeals as open_appeals_of

    require_can_anonymise(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        errors = {}
        if not user.check_password(password or ""):
            errors["password"] = [_("This is not your password.")]
        if not confirmed:
            errors["confirm"] = [_("Tick the box to confirm that you want to anonymise your account.")]
        open_appeals = list(open_appeals_of(user).values_list("number", flat=True))
        if open_appeals:
            errors["__all__"] = [
                ngettext(
                    "Your appeal %(numbers)s is still open. The body must be able to answer it and the answer must reach "
                    "you, so your account can be anonymised only once it is answered or you have withdrawn it.",
                    "Your appeals %(numbers)s are still open. The body must be able to answer them and the answer must "
                    "reach you, so your account can be anonymised only once they are answered or you have withdrawn them.",
                    len(open_appeals),
                ) % {"numbers": ", ".join(n or "" for n in open_appeals)}
            ]
        if errors:
            raise ValidationError(errors)
        return anonymise(user, why="at the applicant's request")
