"""Input fields of the API with Danish messages: times with a time zone, and dates inside the plausible window
(samarbejde.core.dates, the same rule as the custody forms)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from samarbejde.core import dates

MSG_DATETIME = "Angiv tidspunktet i ISO 8601 med tidszone, f.eks. 2026-11-27T09:30:00+01:00."
MSG_NAIVE = (
    "Tidspunktet mangler en tidszone. Angiv den, f.eks. 2026-11-27T09:30:00+01:00 (dansk normaltid) "
    "eller 2026-11-27T08:30:00Z (UTC)."
)
MSG_DATE = "Angiv datoen som åååå-mm-dd, f.eks. 2027-03-01."
MSG_REQUIRED = "Dette felt er påkrævet."
MSG_NULL = "Feltet må ikke være null."

DATETIME_ERRORS = {
    "invalid": MSG_DATETIME,
    "date": MSG_DATETIME,
    "overflow": dates.MSG_OUT_OF_RANGE,
    "make_aware": MSG_DATETIME,
    "naive": MSG_NAIVE,
    "required": MSG_REQUIRED,
    "null": MSG_NULL,
}
DATE_ERRORS = {"invalid": MSG_DATE, "datetime": MSG_DATE, "required": MSG_REQUIRED, "null": MSG_NULL}


def as_drf(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(list(error.messages), code=getattr(error, "code", None) or "invalid")


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a time zone (+01:00, Z). Without one: 400, not a guess at Danish time (which is ambiguous
    an hour a year and silently wrong for a client system running in UTC). With `window` ("occurred" or
    "planned") the value must lie inside samarbejde.core.dates' window (the date of birth is the serializer's
    to check, where the person is known: dates.check_birth)."""

    def __init__(self, *, window: str | None = None, **kwargs):
        self.window = window
        kwargs["error_messages"] = {**DATETIME_ERRORS, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        else:
            self.fail("invalid")
        moment = super().to_internal_value(value)
        try:
            dates.local_date(moment)
            if self.window == "occurred":
                dates.check_occurred(moment)
            elif self.window == "planned":
                dates.check_planned(moment)
        except DjangoValidationError as error:
            raise as_drf(error) from None
        return moment


class WindowDateField(serializers.DateField):
    """An ISO date (åååå-mm-dd) inside samarbejde.core.dates' window ("occurred" or "planned")."""

    def __init__(self, *, window: str = "planned", **kwargs):
        self.window = window
        kwargs["error_messages"] = {**DATE_ERRORS, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        day = super().to_internal_value(value)
        try:
            (dates.check_occurred if self.window == "occurred" else dates.check_planned)(day)
        except DjangoValidationError as error:
            raise as_drf(error) from None
        return day
