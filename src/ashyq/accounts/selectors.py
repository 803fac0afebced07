"""Reads about one's own account."""

from ashyq.dialogue.models import OPEN_STATUSES, Appeal


def open_appeals(user):
    """The applicant's appeals still awaiting an answer, oldest first: while there are any, the account cannot be
    anonymised (services.anonymise_own_account)."""
    return Appeal.objects.filter(applicant=user, status__in=OPEN_STATUSES).order_by("registered_at", "pk")


def current_verifications(user):
    """The person's verifications that hold now (not revoked, not expired), strongest first."""
    from ashyq.core import clock

    from .models import Verification

    now = clock.now()
    return (
        Verification.objects.filter(user=user, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .order_by("-level", "-granted_at")
    )


def level_of(user, at_least=None):
    """A person's level of verification (core.identity.Level): their strongest current verification; an active
    account with an email is at least at the email level, because sign-up activates an account only through the
    link sent to its address (and staff accounts are made by an administrator who knows the address).

    `at_least`: the caller asks only whether the person reaches that level; when the email floor already does,
    the floor is the answer and no verification is read (one query less on every appeal written)."""
    from ashyq.core.identity import Level

    if not (user.is_authenticated and user.is_active):
        return Level.NONE
    floor = Level.EMAIL if user.email else Level.NONE
    if at_least is not None and floor >= at_least:
        return floor
    best = current_verifications(user).values_list("level", flat=True).first()
    return Level(max(best or Level.NONE, floor))
