"""Account changes: sign-up with email confirmation."""
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Role, User

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
