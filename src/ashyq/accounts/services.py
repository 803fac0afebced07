"""Account changes: sign-up with email confirmation."""
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Role, User

CONFIRM_SALT = "ashyq.accounts.confirm-email"
CONFIRM_MAX_AGE = 3 * 24 * 3600


def sign_up(form) -> User:
    """Create an inactive applicant account and email the confirmation link."""
    with transaction.atomic():
        user = form.save(commit=False)
        user.role = Role.APPLICANT
        user.is_active = False
        user.save()
        token = signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)
        url = settings.ASHYQ_SITE_URL.rstrip("/") + reverse("accounts:confirm", args=[token])
        transaction.on_commit(lambda: _send_confirmation(user, url))
    return user


def _send_confirmation(user, url):
    with translation.override(user.language):
        body = render_to_string("accounts/email/confirm.txt", {"user": user, "url": url})
        send_mail(_("Confirm your email for Ashyq"), body, settings.DEFAULT_FROM_EMAIL, [user.email])


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
