"""Business days in Denmark: deadlines count weekdays that are not Danish public holidays.

`holidays.DK` knows the official holidays (nytårsdag, skærtorsdag, langfredag, påske, Kristi
himmelfart, pinse, jul). Grundlovsdag (5 June) and juleaftensdag (24 December) are not official
holidays but most public offices are closed, so they count as non-business days here; the set of
extra closed days is data, overridable in settings (BUSINESS_DAYS_EXTRA_CLOSED as "MM-DD" strings).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings

DEFAULT_EXTRA_CLOSED = ("06-05", "12-24", "12-31")


@lru_cache(maxsize=64)
def _holidays(year: int, extra: tuple[str, ...]) -> frozenset[date]:
    official = set(holidays.country_holidays("DK", years=year).keys())
    for mm_dd in extra:
        month, day = (int(p) for p in mm_dd.split("-"))
        official.add(date(year, month, day))
    return frozenset(official)


def closed_days(year: int) -> frozenset[date]:
    """A year's holidays and extra closed days (weekends aside); the setting is in the cache key, so changes apply."""
    return _holidays(year, tuple(getattr(settings, "BUSINESS_DAYS_EXTRA_CLOSED", DEFAULT_EXTRA_CLOSED)))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in closed_days(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (start itself never counts).

    add_business_days(friday, 1) is the next Monday (or later, across holidays).
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """How many business days lie after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
