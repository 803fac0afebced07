"""The discussion window and the report term, from the process's DiscussionRule.

Days count like statutory terms elsewhere in Ashyq: the opening day is day 0. A window of at least
N calendar days closes no earlier than opens_on + N; a draft standard of a public service closes no
earlier than the N-th working day after opening on the rule's calendar (core/calendar.py). The report
is due on the N-th working day after the closing day.
"""

import datetime as dt

from ashyq.core import calendar, clock

from .models import ActType, DiscussionRule, Phase, Process, Stage


def current_rule(on: dt.date | None = None) -> DiscussionRule:
    on = on or clock.today()
    rule = DiscussionRule.objects.filter(effective_from__lte=on).order_by("-effective_from", "-version").first()
    if rule is None:
        raise DiscussionRule.DoesNotExist("No discussion rule is in effect; add one in the admin.")
    return rule


def earliest_close(rule: DiscussionRule, act_type: str, opens_on: dt.date) -> dt.date:
    by_calendar = opens_on + dt.timedelta(days=rule.min_calendar_days)
    if act_type == ActType.SERVICE_STANDARD:
        return max(by_calendar, calendar.add_working_days(opens_on, rule.standard_min_working_days, rule.calendar_country))
    return by_calendar


def report_due(rule: DiscussionRule, closes_on: dt.date) -> dt.date:
    return calendar.add_working_days(closes_on, rule.report_working_days, rule.calendar_country)


def phase(process: Process, today: dt.date | None = None) -> str:
    """Where the process stands today. Announced/open/closed are derived from the dates, never stored."""
    if process.stage != Stage.PUBLISHED:
        return process.stage
    today = today or clock.today()
    if today < process.opens_on:
        return Phase.ANNOUNCED
    if today <= process.closes_on:
        return Phase.OPEN
    return Phase.CLOSED


def days_left(process: Process, today: dt.date | None = None) -> int | None:
    """Calendar days until comments close (0 on the last day), or until they open when announced."""
    today = today or clock.today()
    current = phase(process, today)
    if current == Phase.OPEN:
        return (process.closes_on - today).days
    if current == Phase.ANNOUNCED:
        return (process.opens_on - today).days
    return None


def report_overdue(process: Process, today: dt.date | None = None) -> bool:
    today = today or clock.today()
    return process.stage == Stage.PUBLISHED and today > process.report_due_on
