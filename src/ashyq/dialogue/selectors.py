"""Reads of appeals with the visibility rules applied once, so no view or API handler can forget them."""

from django.db.models import Count, Q, QuerySet

from ashyq.bodies.models import Body
from ashyq.core import calendar, clock

from . import permissions
from .models import OPEN_STATUSES, Appeal, AppealEvent, published_q

_RELATED = ("body", "addressed_body", "region", "regulation", "applicant", "executor")


def public_appeals() -> QuerySet[Appeal]:
    """Appeals anyone may read: public, approved by a moderator, not hidden after reports (models.published_q)."""
    return Appeal.objects.published().select_related("body", "addressed_body", "region", "regulation", "applicant")


def virtual_reception_body() -> Body | None:
    """The body behind the President's Virtual Reception: the Presidential Administration (bodies' reference data,
    kind presidential-administration), or None where the reference data has no such body accepting appeals."""
    return Body.objects.filter(kind=Body.Kind.PRESIDENTIAL_ADMINISTRATION, accepts_appeals=True).order_by("pk").first()


def appeals_visible_to(user) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related(*_RELATED)
    public = published_q()
    if not user.is_authenticated:
        return qs.filter(public)
    if permissions.is_oversight(user):
        return qs
    if user.is_body_staff:
        touched = AppealEvent.objects.filter(from_body_id=user.body_id).values("appeal_id")
        return qs.filter(public | Q(body_id=user.body_id) | Q(addressed_body_id=user.body_id) | Q(pk__in=touched))
    return qs.filter(public | Q(applicant=user))


def appeals_of_applicant(user) -> QuerySet[Appeal]:
    return Appeal.objects.select_related(*_RELATED).filter(applicant=user).order_by("-registered_at")


def inbox(user, *, include_closed: bool = False) -> QuerySet[Appeal]:
    """The appeals the user's body must handle now, the soonest due first."""
    if not permissions.works_inbox(user):
        return Appeal.objects.none()
    qs = Appeal.objects.select_related(*_RELATED).filter(body_id=user.body_id)
    if not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("due_on", "registered_at")


def inbox_counts(user) -> dict:
    """How many of the body's appeals are open, overdue and due soon (today or within the soon-due term).

    One aggregate over an index of the body's open appeals with their due dates, so it costs an index-only
    scan of the body's open appeals, never the whole table. "Due soon" is what the
    rows mark as due today or due soon: a due date from today up to the regulation's soon-due term in
    working days (the regulation in force today; appeals under an older one may differ by a day).
    """
    if not permissions.works_inbox(user):
        return {"open": 0, "overdue": 0, "due_soon": 0, "soon_days": 0}
    from .deadlines import current_regulation

    today = clock.today()
    regulation = current_regulation(today)
    # The first day that is no longer "soon": the (N+1)-th working day after today.
    not_soon = calendar.add_working_days(today, regulation.soon_due_working_days + 1, regulation.calendar_country)
    # Counted by due_on (never null), not by id: every column the aggregate reads is in the index, so PostgreSQL
    # never visits the table (counting ids visited one page per open appeal: 100 ms instead of 2 ms at 8 600).
    counts = Appeal.objects.filter(body_id=user.body_id, status__in=OPEN_STATUSES).aggregate(
        open=Count("due_on"),
        overdue=Count("due_on", filter=Q(due_on__lt=today)),
        due_soon=Count("due_on", filter=Q(due_on__gte=today, due_on__lt=not_soon)),
    )
    return {**counts, "soon_days": regulation.soon_due_working_days}


def overdue_appeals(user) -> QuerySet[Appeal]:
    """Every body's open appeals past their due date, the longest overdue first (monitors and admins)."""
    if not permissions.is_oversight(user):
        return Appeal.objects.none()
    return (
        Appeal.objects.select_related(*_RELATED)
        .filter(status__in=OPEN_STATUSES, due_on__lt=clock.today())
        .order_by("due_on", "registered_at")
    )


def events_of(appeal) -> QuerySet[AppealEvent]:
    return appeal.events.select_related("actor", "from_body", "to_body", "public_reason").order_by("seq")
