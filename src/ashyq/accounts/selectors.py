"""Reads about one's own account."""
from ashyq.dialogue.models import OPEN_STATUSES, Appeal


def open_appeals(user):
    """The applicant's appeals still awaiting an answer, oldest first: while there are any, the account cannot be
    anonymised (services.anonymise_own_account)."""
    return Appeal.objects.filter(applicant=user, status__in=OPEN_STATUSES).order_by("registered_at", "pk")
