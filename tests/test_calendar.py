"""Working days on Kazakhstan's calendar: the arithmetic every statutory term rests on."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ashyq.core.calendar import add_working_days, is_working_day, working_days_between

dates = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2027, 12, 31))


def test_nauryz_and_its_transferred_days_are_not_working_days():
    for day in (21, 22, 23, 24, 25):
        assert not is_working_day(dt.date(2026, 3, day))
    assert is_working_day(dt.date(2026, 3, 20))
    assert is_working_day(dt.date(2026, 3, 26))


def test_a_transferred_working_saturday_counts_and_its_day_off_does_not():
    # 2024: Saturday 4 May was a working day; Wednesday 8 May the day off in its place.
    assert is_working_day(dt.date(2024, 5, 4))
    assert not is_working_day(dt.date(2024, 5, 8))


def test_fifteen_working_days_across_nauryz():
    # Registered Thursday 19 March 2026: day 1 is Friday 20 March; 21-25 March are Nauryz and its
    # days off, so day 2 is Thursday 26 March and day 15 is Tuesday 14 April (not 9 April).
    assert add_working_days(dt.date(2026, 3, 19), 15) == dt.date(2026, 4, 14)


def test_fifteen_working_days_in_an_ordinary_month():
    assert add_working_days(dt.date(2026, 11, 2), 15) == dt.date(2026, 11, 23)


def test_registration_on_a_holiday_counts_from_the_next_working_day():
    # 16 December (Independence Day) 2026 is a Wednesday; the first working day after it is day 1.
    assert add_working_days(dt.date(2026, 12, 16), 1) == dt.date(2026, 12, 17)


@given(dates, st.integers(min_value=1, max_value=60))
def test_due_date_is_a_working_day(start, n):
    assert is_working_day(add_working_days(start, n))


@given(dates, st.integers(min_value=0, max_value=60))
def test_adding_n_working_days_crosses_exactly_n(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n if n else working_days_between(start, end) == (0 if is_working_day(start) else 1)


@given(dates, st.integers(min_value=1, max_value=60))
def test_no_working_day_is_skipped(start, n):
    end = add_working_days(start, n)
    before = end - dt.timedelta(days=1)
    assert working_days_between(start, before) == n - 1


@given(dates, dates)
def test_working_days_between_is_antisymmetric(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)


@given(dates, dates)
def test_working_days_between_counts_exactly_the_working_days_after_start(a, b):
    # The per-year tables behind working_days_between agree with counting day by day.
    start, end = min(a, b), max(a, b)
    by_day = sum(is_working_day(start + dt.timedelta(days=k)) for k in range(1, (end - start).days + 1))
    assert working_days_between(start, end) == by_day
