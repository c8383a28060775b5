"""CPR numbers: validation with clear Danish messages, and masking for roles that need less.

Validation uses python-stdnum's stdnum.dk.cpr: format and birth date. No modulus-11 check: CPR
numbers without it have been issued since 2007.
"""

from django.core.exceptions import ValidationError
from stdnum import dk
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

MSG_EMPTY = "Skriv et CPR-nummer med 10 cifre (ddmmåå-xxxx)."
MSG_LENGTH = "Et CPR-nummer har 10 cifre (ddmmåå-xxxx). Du har skrevet %(count)d cifre."
MSG_FORMAT = "Et CPR-nummer må kun indeholde cifre og evt. én bindestreg (ddmmåå-xxxx)."
MSG_DATE = "De første 6 cifre i CPR-nummeret er ikke en gyldig fødselsdato (ddmmåå)."
MSG_FUTURE = "Fødselsdatoen i CPR-nummeret ligger i fremtiden."


def normalize_cpr(value: str) -> str:
    """Validate and return the 10 digits, or raise ValidationError with a Danish message."""
    raw = (value or "").strip()
    compact = dk.cpr.compact(raw)
    if not compact:
        raise ValidationError(MSG_EMPTY, code="cpr_required")
    # isascii: str.isdigit() also accepts digits of other scripts, which are no CPR number.
    if not (compact.isascii() and compact.isdigit()):
        raise ValidationError(MSG_FORMAT, code="cpr_format")
    if len(compact) != 10:
        raise ValidationError(MSG_LENGTH, code="cpr_length", params={"count": len(compact)})
    try:
        return dk.cpr.validate(compact)
    except InvalidComponent as exc:
        if "future" in str(exc).lower():
            raise ValidationError(MSG_FUTURE, code="cpr_future") from None
        raise ValidationError(MSG_DATE, code="cpr_date") from None
    except (InvalidFormat, InvalidLength):
        raise ValidationError(MSG_FORMAT, code="cpr_format") from None
    except StdnumError:
        raise ValidationError(MSG_DATE, code="cpr_date") from None


def format_cpr(cpr: str) -> str:
    return f"{cpr[:6]}-{cpr[6:]}" if len(cpr) == 10 else cpr


def mask_cpr(cpr: str) -> str:
    """Birth date only: '010190-xxxx'."""
    return f"{cpr[:6]}-xxxx" if len(cpr) == 10 else "xxxxxx-xxxx"
