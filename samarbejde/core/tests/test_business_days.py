"""Business days: Danish public holidays, the extra closed days, weekends; properties with Hypothesis."""

from datetime import date, timedelta

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbejde.core.business_days import add_business_days, business_days_between, is_business_day

CLOSED = [
    # Easter 2026 (påskedag 5 April)
    (date(2026, 4, 2), "skærtorsdag 2026"),
    (date(2026, 4, 3), "langfredag 2026"),
    (date(2026, 4, 5), "påskedag 2026 (søndag)"),
    (date(2026, 4, 6), "2. påskedag 2026"),
    # Easter 2027 (påskedag 28 March)
    (date(2027, 3, 25), "skærtorsdag 2027"),
    (date(2027, 3, 26), "langfredag 2027"),
    (date(2027, 3, 29), "2. påskedag 2027"),
    (date(2026, 5, 14), "Kristi himmelfartsdag 2026"),
    (date(2027, 5, 6), "Kristi himmelfartsdag 2027"),
    (date(2026, 5, 25), "2. pinsedag 2026"),
    (date(2027, 5, 17), "2. pinsedag 2027"),
    (date(2026, 6, 5), "grundlovsdag 2026 (fredag)"),
    (date(2028, 6, 5), "grundlovsdag 2028 (mandag)"),
    (date(2026, 12, 24), "juleaftensdag 2026"),
    (date(2026, 12, 25), "juledag 2026"),
    (date(2027, 12, 24), "juleaftensdag 2027"),
    (date(2026, 12, 31), "nytårsaftensdag 2026"),
    (date(2027, 1, 1), "nytårsdag 2027"),
    (date(2026, 3, 7), "lørdag"),
    (date(2026, 3, 8), "søndag"),
    (date(2023, 5, 5), "store bededag 2023 (før afskaffelsen)"),
]

OPEN = [
    (date(2026, 3, 31), "tirsdag før påske"),
    (date(2026, 4, 1), "onsdag før skærtorsdag"),
    (date(2026, 4, 7), "tirsdag efter påske"),
    (date(2026, 5, 1), "1. maj (ikke helligdag)"),
    (date(2026, 5, 15), "fredag efter Kristi himmelfart"),
    (date(2024, 4, 26), "store bededag 2024 (afskaffet)"),
    (date(2026, 5, 1) + timedelta(days=7), "almindelig fredag"),
    (date(2026, 12, 28), "mandag mellem jul og nytår"),
]


@pytest.mark.parametrize(("day", "label"), CLOSED)
def test_closed_days_are_not_business_days(day, label):
    assert not is_business_day(day), label


@pytest.mark.parametrize(("day", "label"), OPEN)
def test_ordinary_weekdays_are_business_days(day, label):
    assert is_business_day(day), label


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 = Monday
        (date(2026, 3, 9), 0, date(2026, 3, 9)),  # zero days: the start itself
        (date(2026, 3, 9), 5, date(2026, 3, 16)),  # a plain week
        (date(2026, 4, 1), 1, date(2026, 4, 7)),  # across Easter 2026
        (date(2027, 3, 24), 1, date(2027, 3, 30)),  # across Easter 2027
        (date(2026, 5, 13), 1, date(2026, 5, 15)),  # across Kristi himmelfart
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # across pinse (Friday -> Tuesday)
        (date(2026, 6, 4), 1, date(2026, 6, 8)),  # across grundlovsdag (Friday 5 June)
        (date(2026, 12, 23), 1, date(2026, 12, 28)),  # across Christmas
        (date(2026, 12, 30), 1, date(2027, 1, 4)),  # across New Year (31 Dec, 1 Jan, weekend)
        (date(2026, 12, 23), 10, date(2027, 1, 12)),  # 28-30 Dec, then 4-8 and 11-12 Jan
    ],
)
def test_add_business_days(start, days, expected):
    assert add_business_days(start, days) == expected
    if days:
        assert business_days_between(start, expected) == days


def test_add_business_days_rejects_negative():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 1, 5), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 10), date(2026, 3, 9), 0),
        (date(2026, 3, 6), date(2026, 3, 9), 1),
        (date(2026, 3, 31), date(2026, 4, 7), 2),  # 1 April and 7 April
    ],
)
def test_business_days_between(start, end, expected):
    assert business_days_between(start, end) == expected


def test_extra_closed_days_come_from_settings():
    grundlovsdag = date(2026, 6, 5)
    assert not is_business_day(grundlovsdag)
    with override_settings(BUSINESS_DAYS_EXTRA_CLOSED=()):
        assert is_business_day(grundlovsdag)
        assert is_business_day(date(2026, 12, 24))
    with override_settings(BUSINESS_DAYS_EXTRA_CLOSED=("05-01",)):
        assert not is_business_day(date(2026, 5, 1))
        assert is_business_day(grundlovsdag)
    assert not is_business_day(grundlovsdag)


dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=300, deadline=None)
@given(start=dates, days=st.integers(min_value=1, max_value=60))
def test_property_never_lands_on_a_non_business_day(start, days):
    result = add_business_days(start, days)
    assert is_business_day(result)
    assert result > start
    assert business_days_between(start, result) == days


@settings(max_examples=300, deadline=None)
@given(start=dates, a=counts, b=counts)
def test_property_monotonic_in_days(start, a, b):
    low, high = sorted((a, b))
    assert add_business_days(start, low) <= add_business_days(start, high)
    if low < high:
        assert add_business_days(start, low) < add_business_days(start, high)


@settings(max_examples=300, deadline=None)
@given(first=dates, second=dates, days=st.integers(min_value=1, max_value=60))
def test_property_monotonic_in_start(first, second, days):
    early, late = sorted((first, second))
    assert add_business_days(early, days) <= add_business_days(late, days)
