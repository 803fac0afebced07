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


@lru_cache(maxsize=128)
def _working_days_to_date(year: int, country: str) -> tuple[int, ...]:
    """For each day of `year` (index = day of the year - 1), how many working days from 1 January up to it."""
    counts, total = [], 0
    day = dt.date(year, 1, 1)
    while day.year == year:
        total += is_working_day(day, country)
        counts.append(total)
        day += ONE_DAY
    return tuple(counts)


def _working_days_through(day: dt.date, country: str) -> int:
    return _working_days_to_date(day.year, country)[day.timetuple().tm_yday - 1]


def working_days_between(start: dt.date, end: dt.date, country: str = "KZ") -> int:
    """How many working days lie after `start` up to and including `end` (negative if end < start).

    Counted from per-year tables, not day by day: lists compute this for every open appeal, and an
    appeal overdue for years would otherwise cost a thousand calendar lookups (docs/benchmarks.md).
    """
    if end < start:
        return -working_days_between(end, start, country)
    if start.year == end.year:
        return _working_days_through(end, country) - _working_days_through(start, country)
    count = _working_days_to_date(start.year, country)[-1] - _working_days_through(start, country)
    for year in range(start.year + 1, end.year):
        count += _working_days_to_date(year, country)[-1]
    return count + _working_days_through(end, country)
