"""Statutory terms of an appeal, computed from its regulation version and Kazakhstan's calendar.

Nothing here is stored: overdue, very overdue and soon-due follow from `due_on` and today.
"""

import datetime as dt
import enum

from dateutil.relativedelta import relativedelta

from ashyq.core import calendar, clock, reference

from .models import Regulation


def current_regulation(on: dt.date | None = None) -> Regulation:
    on = on or clock.today()
    regulation = reference.get(
        "regulation", on, Regulation.objects.filter(effective_from__lte=on).order_by("-effective_from", "-version").first
    )
    if regulation is None:
        raise Regulation.DoesNotExist("No regulation is in force; run the migrations.")
    return regulation


def answer_due_on(received_on: dt.date, regulation: Regulation) -> dt.date:
    return calendar.add_working_days(received_on, regulation.answer_working_days, regulation.calendar_country)


def redirect_deadline(received_on: dt.date, regulation: Regulation) -> dt.date:
    return calendar.add_working_days(received_on, regulation.redirect_working_days, regulation.calendar_country)


def redirect_open(appeal, today: dt.date) -> bool:
    """Whether the body may still redirect the appeal: until the regulation's redirect window ends."""
    return today <= redirect_deadline(appeal.received_on, appeal.regulation)


def extension_open(appeal, today: dt.date) -> bool:
    """Whether the term may still be extended: not once it has run out (an overdue appeal stays overdue)."""
    return today <= appeal.due_on


def extension_limit(received_on: dt.date, regulation: Regulation) -> dt.date:
    """The latest date an extension may reach: the whole consideration lasts at most N months."""
    return received_on + relativedelta(months=regulation.extension_max_months)


class DeadlineState(enum.StrEnum):
    CLOSED = "closed"
    ON_TIME = "on_time"
    SOON_DUE = "soon_due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"


def deadline_state(appeal, today: dt.date | None = None) -> DeadlineState:
    if not appeal.is_open:
        return DeadlineState.CLOSED
    today = today or clock.today()
    reg = appeal.regulation
    if today > appeal.due_on:
        late = calendar.working_days_between(appeal.due_on, today, reg.calendar_country)
        return DeadlineState.VERY_OVERDUE if late > reg.very_overdue_working_days else DeadlineState.OVERDUE
    if today == appeal.due_on:
        return DeadlineState.DUE_TODAY
    left = calendar.working_days_between(today, appeal.due_on, reg.calendar_country)
    return DeadlineState.SOON_DUE if left <= reg.soon_due_working_days else DeadlineState.ON_TIME


def working_days_left(appeal, today: dt.date | None = None) -> int:
    """Working days until the due date (negative when overdue)."""
    today = today or clock.today()
    return calendar.working_days_between(today, appeal.due_on, appeal.regulation.calendar_country)
