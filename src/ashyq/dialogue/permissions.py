"""Who may do what with an appeal. Services and selectors call these; views never decide alone. The site-wide rules
at the top are also the templates' `can.write_appeals`, `can.work_inbox` and `can.oversee` (registered in apps.py
with core/permissions.py); the appeal page adds the steps of actions.py to its `can`."""

from ashyq.core.roles import Role

from .models import OPEN_STATUSES, Appeal


def is_applicant(user, appeal: Appeal) -> bool:
    return user.is_authenticated and appeal.applicant_id == user.pk


def is_staff_of_current_body(user, appeal: Appeal) -> bool:
    return user.is_authenticated and user.is_body_staff and user.body_id == appeal.body_id


def is_oversight(user) -> bool:
    """Monitors and administrators: every appeal, the overdue list, the monitoring dashboard."""
    return user.is_authenticated and user.role in (Role.MONITOR, Role.ADMIN)


def writes_appeals(user) -> bool:
    """The accounts people write appeals from: the site offers them the appeal form and their own list. (Services
    accept an appeal from any signed-in account; staff accounts are for their body's work.)"""
    return user.is_authenticated and user.role == Role.APPLICANT


def works_inbox(user) -> bool:
    """Officials and heads: the inbox of the body they act for."""
    return user.is_authenticated and user.is_body_staff


def is_moderator(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in (Role.MODERATOR, Role.ADMIN)


def handled_by_users_body(user, appeal: Appeal) -> bool:
    """A body that held the appeal before redirecting it keeps read access to the record it took part in."""
    if not (user.is_authenticated and user.is_body_staff):
        return False
    if appeal.body_id == user.body_id or appeal.addressed_body_id == user.body_id:
        return True
    return appeal.events.filter(from_body_id=user.body_id).exists()


def can_view(user, appeal: Appeal) -> bool:
    if appeal.is_published:
        return True
    return is_applicant(user, appeal) or is_oversight(user) or handled_by_users_body(user, appeal)


def can_assign(user, appeal: Appeal) -> bool:
    return is_staff_of_current_body(user, appeal) and appeal.status in OPEN_STATUSES


can_answer = can_assign
can_redirect = can_assign


def can_extend(user, appeal: Appeal) -> bool:
    # APPC art. 76: an extension is the head's reasoned decision.
    return can_assign(user, appeal) and user.role == Role.HEAD


def can_withdraw(user, appeal: Appeal) -> bool:
    return is_applicant(user, appeal) and appeal.status in OPEN_STATUSES


def can_give_feedback(user, appeal: Appeal) -> bool:
    return is_applicant(user, appeal) and appeal.status == "answered" and not hasattr(appeal, "feedback")


def can_complain(user, appeal: Appeal) -> bool:
    return (
        is_applicant(user, appeal)
        and appeal.status == "answered"
        and appeal.body.parent_id is not None
        and not Appeal.objects.filter(complaint_about=appeal).exists()
    )


def can_only_challenge_in_court(user, appeal: Appeal) -> bool:
    """The applicant of an answered appeal whose body has no higher body in Ashyq, and who filed no complaint here:
    the page tells them the answer can be challenged in court instead (can_complain's other side)."""
    return (
        is_applicant(user, appeal)
        and hasattr(appeal, "answer")
        and appeal.body.parent_id is None
        and not Appeal.objects.filter(complaint_about=appeal).exists()
    )
