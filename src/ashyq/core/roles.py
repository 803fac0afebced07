"""The roles a person can have on the platform. The vocabulary lives here, at the bottom, so that every app
can check a role (dialogue's permissions, moderation's queue, ...) without importing the accounts app that
sits above dialogue; the User model in accounts stores one of these values."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    OFFICIAL = "official", _("official")
    HEAD = "head", _("head of body")
    MODERATOR = "moderator", _("moderator")
    MONITOR = "monitor", _("monitor")
    ADMIN = "admin", _("administrator")


# Officials and heads act for exactly one body (User.body).
BODY_ROLES = {Role.OFFICIAL, Role.HEAD}
