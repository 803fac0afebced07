"""Count failed sign-ins for the lockout (services.record_login_failure), from every login form (pages, admin)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ashyq.core.net import client_ip

from . import services


@receiver(user_login_failed, dispatch_uid="ashyq-login-failed")
def _failed(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    if username:
        services.record_login_failure(username, client_ip(request) if request is not None else "")


@receiver(user_logged_in, dispatch_uid="ashyq-logged-in")
def _succeeded(sender, request, user, **kwargs):
    if request is not None:
        services.reset_login_failures(user.get_username(), client_ip(request))
