"""Working days on Kazakhstan's calendar.

A working day is a Monday-Friday that is not a public holiday or a day off transferred onto it,
or a Saturday/Sunday declared a working day by a transfer decree. The `holidays` package carries
both lists for country KZ; statutory terms count only working days, with day 0 the start date.
"""
import datetime as dt
from functools import lru_cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=8)
def _calendar(country: str):
    return holidays.country_holidays(country)


def is_working_day(day: dt.date, country: str = "KZ") -> bool:
    cal = _calendar(country)
    _ = day in cal  # populates the year, and with it the transferred working weekends
    if day in getattr(cal, "weekend_workdays", ()):
        return True
    return day.weekday() < 5 and day not in cal


def holiday_name(day: dt.date, country: str = "KZ") -> str | None:
    return _calendar(country).get(day)


def add_working_days(start: dt.date, days: int, country: str = "KZ") -> dt.date:
    """The date on which the `days`-th working day after `start` falls (start itself is day 0).

    add_working_days(d, 0) is d itself when d is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    if days == 0:
        while not is_working_day(current, country):
            current += ONE_DAY
        return current
    counted = 0
    while counted < days:
        current += ONE_DAY
        if is_working_day(current, country):
            counted += 1
    return current


def working_days_between(start: dt.date, end: dt.date, country: str = "KZ") -> int:
    """How many working days lie after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start, country)
    count = 0
    current = start
    while current < end:
        current += ONE_DAY
        if is_working_day(current, country):
            count += 1
    return count
