"""The plausible-date window (samarbejde.core.dates): bounds, settings, Danish messages, and never an exception
other than ValidationError, whatever the date or the time zone (hypothesis)."""

from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from samarbejde.core import dates

TZ = timezone.get_current_timezone()
NOW = datetime(2027, 3, 24, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def code_of(check, value, **kw) -> str | None:
    try:
        check(value, **kw)
    except ValidationError as error:
        assert error.messages and all(error.messages), "a Danish message"
        return error.code
    return None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (NOW, None),
        (NOW - timedelta(days=365 * 2 - 1), None),
        (datetime(2025, 3, 24, 0, 0, tzinfo=TZ), None),  # exactly 2 years back: inside
        (datetime(2025, 3, 23, 23, 59, tzinfo=TZ), "date_too_old"),
        (NOW + timedelta(hours=23), None),
        (NOW + timedelta(days=1, minutes=1), "date_in_future"),
        (date(2027, 3, 25), None),
        (date(2027, 3, 26), "date_in_future"),
        (datetime(1, 1, 1, tzinfo=UTC), "date_too_old"),
        (datetime(1, 1, 1, tzinfo=dt_timezone(timedelta(hours=23))), "date_out_of_range"),  # UTC: year 0
        (datetime(9999, 12, 31, 23, 59, tzinfo=dt_timezone(timedelta(hours=-23))), "date_out_of_range"),
        (datetime(9999, 12, 31, 12, 0, tzinfo=UTC), "date_in_future"),
        (date.min, "date_too_old"),
        (date.max, "date_in_future"),
        (datetime(2027, 3, 24, 9, 0), None),  # naive: Danish time (the forms' values are aware already)
        ("2027-03-24", "date_out_of_range"),  # not a date at all
    ],
)
def test_occurred(value, code):
    assert code_of(dates.check_occurred, value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (date(2027, 12, 1), None),
        (date(2057, 3, 24), None),  # 30 years ahead: inside
        (date(2057, 3, 25), "date_too_far_ahead"),
        (date(2072, 3, 1), "date_too_far_ahead"),  # 2072 for 2027
        (date(2026, 1, 1), None),  # an expected release date passed without release: possible
        (date(2025, 3, 23), "date_too_old"),
        (date.max, "date_too_far_ahead"),
        (date.min, "date_too_old"),
    ],
)
def test_planned(value, code):
    assert code_of(dates.check_planned, value) == code


def test_not_before_birth():
    birth = dates.birth_date_of("0103274001")  # 1 March 2027
    assert birth == date(2027, 3, 1)
    assert code_of(dates.check_occurred, datetime(2027, 2, 28, 23, 0, tzinfo=TZ), birth=birth) == "date_before_birth"
    assert code_of(dates.check_occurred, datetime(2027, 3, 1, 0, 0, tzinfo=TZ), birth=birth) is None
    assert code_of(dates.check_planned, date(2027, 2, 1), birth=birth) == "date_before_birth"
    with pytest.raises(ValidationError) as info:
        dates.check_birth(date(2027, 2, 1), birth=birth)
    assert info.value.messages == [
        "Datoen ligger før personens fødselsdato (1. marts 2027 ifølge CPR-nummeret). Kontrollér datoen."
    ]


@pytest.mark.parametrize("cpr", ["", None, "abc", "3213901234", "0101901234567"])
def test_no_birth_date_from_what_is_no_cpr_number(cpr):
    assert dates.birth_date_of(cpr) is None


def test_the_bounds_are_settings(settings):
    settings.EVENT_MAX_YEARS_BACK = 10
    settings.EVENT_MAX_DAYS_AHEAD = 30
    settings.PLANNED_MAX_YEARS_AHEAD = 1
    assert code_of(dates.check_occurred, date(2018, 1, 1)) is None
    assert code_of(dates.check_occurred, date(2027, 4, 20)) is None
    assert code_of(dates.check_planned, date(2028, 6, 1)) == "date_too_far_ahead"
    with pytest.raises(ValidationError) as info:
        dates.check_occurred(date(2016, 1, 1))
    assert info.value.messages == [
        "Datoen ligger mere end 10 år tilbage (før 24. marts 2017). Kontrollér datoen, især året."
    ]


def test_messages_are_danish_with_the_bounds():
    with pytest.raises(ValidationError) as info:
        dates.check_occurred(date(2027, 4, 1))
    assert info.value.messages == [
        "Datoen ligger for langt ude i fremtiden (senest 25. marts 2027). Registrér hændelsen, når den er sket."
    ]
    with pytest.raises(ValidationError) as info:
        dates.check_planned(date(2072, 3, 1))
    assert info.value.messages == [
        "Datoen ligger mere end 30 år ude i fremtiden (senest 24. marts 2057). Kontrollér datoen."
    ]


def test_leap_day_shift():
    assert dates.shift_years(date(2028, 2, 29), -2) == date(2026, 2, 28)
    assert dates.shift_years(date(9999, 1, 1), 30) == date(9999, 1, 1)


@pytest.mark.parametrize(
    ("value", "ok"), [(date(1900, 1, 1), True), (date(1, 1, 1), False), (date(9999, 12, 31), False)]
)
def test_searchable(value, ok):
    assert (code_of(dates.check_searchable, value) is None) is ok


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt_timezone(timedelta(minutes=minutes))
)
any_moment = st.one_of(
    st.datetimes(timezones=offsets),
    st.datetimes(timezones=st.just(TZ)),
    st.datetimes(),
    st.dates(),
)


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=any_moment, birth=st.one_of(st.none(), st.dates()))
def test_never_anything_but_a_validation_error(value, birth):
    for check in (dates.check_occurred, dates.check_planned):
        code_of(check, value, birth=birth)
    code_of(dates.check_searchable, value)
