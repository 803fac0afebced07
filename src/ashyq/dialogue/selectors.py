"""Reads of appeals with the visibility rules applied once, so no view or API handler can forget them."""
from django.db.models import Q, QuerySet

from ashyq.accounts.models import Role
from ashyq.core import clock

from .models import OPEN_STATUSES, Appeal, AppealEvent

_RELATED = ("body", "addressed_body", "region", "regulation", "applicant", "executor")


PUBLISHED = Q(is_public=True, published_at__isnull=False, hidden_at__isnull=True)


def public_appeals() -> QuerySet[Appeal]:
    """Appeals anyone may read: public, approved by a moderator, not hidden after reports."""
    return Appeal.objects.select_related("body", "addressed_body", "region", "regulation", "applicant").filter(PUBLISHED)


def appeals_visible_to(user) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related(*_RELATED)
    public = PUBLISHED
    if not user.is_authenticated:
        return qs.filter(public)
    if user.role in (Role.MONITOR, Role.ADMIN):
        return qs
    if user.is_body_staff:
        touched = AppealEvent.objects.filter(from_body_id=user.body_id).values("appeal_id")
        return qs.filter(public | Q(body_id=user.body_id) | Q(addressed_body_id=user.body_id) | Q(pk__in=touched))
    return qs.filter(public | Q(applicant=user))


def appeals_of_applicant(user) -> QuerySet[Appeal]:
    return Appeal.objects.select_related(*_RELATED).filter(applicant=user).order_by("-registered_at")


def inbox(user, *, include_closed: bool = False) -> QuerySet[Appeal]:
    """The appeals the user's body must handle now, the soonest due first."""
    if not user.is_authenticated or not user.is_body_staff:
        return Appeal.objects.none()
    qs = Appeal.objects.select_related(*_RELATED).filter(body_id=user.body_id)
    if not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("due_on", "registered_at")


def overdue_appeals(user) -> QuerySet[Appeal]:
    """Every body's open appeals past their due date, the longest overdue first (monitors and admins)."""
    if not user.is_authenticated or user.role not in (Role.MONITOR, Role.ADMIN):
        return Appeal.objects.none()
    return (
        Appeal.objects.select_related(*_RELATED)
        .filter(status__in=OPEN_STATUSES, due_on__lt=clock.today())
        .order_by("due_on", "registered_at")
    )


def events_of(appeal) -> QuerySet[AppealEvent]:
    return appeal.events.select_related("actor", "from_body", "to_body").order_by("seq")
