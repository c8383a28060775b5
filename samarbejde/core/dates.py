"""Plausible dates: one rule for what case workers type in the forms and what client systems send to the API.

A date outside the window is a typing error (2072 for 2027, 1027 for 2027, a date of birth in the date field),
not a fact to register. The window is a product choice, not law; its bounds are settings:

- An event that happened (admission, judgment, transfer, release: `check_occurred`): not before the person's
  date of birth (from the CPR number), not more than EVENT_MAX_YEARS_BACK years back (default 2), and not more
  than EVENT_MAX_DAYS_AHEAD days ahead (default 1: clock skew, a release registered the evening before; the
  custody services' own FUTURE_TOLERANCE).
- A planned date (the expected release date: `check_planned`): not before the date of birth, not more than
  EVENT_MAX_YEARS_BACK years back, and not more than PLANNED_MAX_YEARS_AHEAD years ahead (default 30: a long
  sentence; the custody services refuse an expected release more than 30 years after the admission).

Pure functions: they read the settings and the clock (timezone.now, so time-machine moves them) and raise
django.core.exceptions.ValidationError with a Danish message and a code; nothing here touches the database.
Year 1, year 9999 and dates whose conversion to UTC overflows give `date_out_of_range`, never an exception.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from stdnum.dk import cpr as stdnum_cpr

DEFAULT_YEARS_BACK = 2
DEFAULT_DAYS_AHEAD = 1
DEFAULT_PLANNED_YEARS_AHEAD = 30

MSG_OUT_OF_RANGE = "Datoen er ikke mulig. Kontrollér året."
MSG_BEFORE_BIRTH = "Datoen ligger før personens fødselsdato (%(birth)s ifølge CPR-nummeret). Kontrollér datoen."
MSG_TOO_OLD = "Datoen ligger mere end %(years)s tilbage (før %(earliest)s). Kontrollér datoen, især året."
MSG_OCCURRED_AHEAD = (
    "Datoen ligger for langt ude i fremtiden (senest %(latest)s). Registrér hændelsen, når den er sket."
)
MSG_PLANNED_AHEAD = "Datoen ligger mere end %(years)s ude i fremtiden (senest %(latest)s). Kontrollér datoen."


def years_back() -> int:
    return int(getattr(settings, "EVENT_MAX_YEARS_BACK", DEFAULT_YEARS_BACK))


def days_ahead() -> int:
    return int(getattr(settings, "EVENT_MAX_DAYS_AHEAD", DEFAULT_DAYS_AHEAD))


def planned_years_ahead() -> int:
    return int(getattr(settings, "PLANNED_MAX_YEARS_AHEAD", DEFAULT_PLANNED_YEARS_AHEAD))


def birth_date_of(cpr: str | None) -> date | None:
    """The date of birth in a CPR number (stdnum.dk.cpr, with the century from the 7th digit), or None."""
    try:
        return stdnum_cpr.get_birth_date(stdnum_cpr.validate(cpr)) if cpr else None
    except Exception:  # not a CPR number: its own validation says so, not this one
        return None


def shift_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year. Clamped to date's range."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _label(day: date) -> str:
    with translation.override("da"):
        return date_format(day, "DATE_FORMAT")


def _years(n: int) -> str:
    return "1 år" if n == 1 else f"{n} år"


def local_date(value: date | datetime) -> date:
    """The Danish calendar date of `value` (a naive datetime counts as Danish time). Raises
    ValidationError(date_out_of_range) where that date does not exist in Python (year 1 west of UTC, ...)."""
    if isinstance(value, datetime):
        try:
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        except (OverflowError, ValueError):
            raise ValidationError(MSG_OUT_OF_RANGE, code="date_out_of_range") from None
    if isinstance(value, date):
        return value
    raise ValidationError(MSG_OUT_OF_RANGE, code="date_out_of_range")


def _not_before(day: date, *, birth: date | None, today: date) -> None:
    check_birth(day, birth=birth)
    earliest = shift_years(today, -years_back())
    if day < earliest:
        raise ValidationError(
            MSG_TOO_OLD,
            code="date_too_old",
            params={"years": _years(years_back()), "earliest": _label(earliest)},
        )


def check_occurred(value: date | datetime, *, birth: date | None = None) -> None:
    """An event that happened at `value` (a datetime, or a date): inside the window, else ValidationError
    (date_out_of_range, date_before_birth, date_too_old, date_in_future). `birth`: see birth_date_of."""
    day = local_date(value)
    now = timezone.now()
    today = timezone.localdate(now)
    _not_before(day, birth=birth, today=today)
    latest = now + timedelta(days=days_ahead())
    ahead = (
        value > latest if isinstance(value, datetime) and timezone.is_aware(value) else day > timezone.localdate(latest)
    )
    if ahead:
        latest_day = timezone.localdate(latest)
        raise ValidationError(MSG_OCCURRED_AHEAD, code="date_in_future", params={"latest": _label(latest_day)})


def check_planned(value: date | datetime, *, birth: date | None = None) -> None:
    """A planned date (the expected release): inside the window, else ValidationError (date_out_of_range,
    date_before_birth, date_too_old, date_too_far_ahead)."""
    day = local_date(value)
    today = timezone.localdate()
    _not_before(day, birth=birth, today=today)
    latest = shift_years(today, planned_years_ahead())
    if day > latest:
        raise ValidationError(
            MSG_PLANNED_AHEAD,
            code="date_too_far_ahead",
            params={"years": _years(planned_years_ahead()), "latest": _label(latest)},
        )


SEARCH_EARLIEST = date(1900, 1, 1)
SEARCH_YEARS_AHEAD = 100


def check_searchable(value: date | datetime) -> None:
    """A date to search or filter by (the audit trail's period, the inbox's deadline filter): any date from
    1900 to 100 years ahead. Outside, the day arithmetic of a period (the day after, midnight in UTC) overflows
    for year 1 and 9999: date_out_of_range."""
    day = local_date(value)
    if not SEARCH_EARLIEST <= day <= shift_years(timezone.localdate(), SEARCH_YEARS_AHEAD):
        raise ValidationError(MSG_OUT_OF_RANGE, code="date_out_of_range")


def check_birth(value: date | datetime, *, birth: date | None) -> None:
    """Only the date-of-birth bound (for callers that checked the rest where the person was not yet known)."""
    if birth is not None and local_date(value) < birth:
        raise ValidationError(MSG_BEFORE_BIRTH, code="date_before_birth", params={"birth": _label(birth)})
