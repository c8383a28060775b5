"""Reads about persons, always from an access-scoped queryset, audited as reads."""

from django.core.exceptions import PermissionDenied

from samarbejde.audit.services import audit_record
from samarbejde.organisations.access import user_can
from samarbejde.organisations.roles import Cap
from samarbejde.people.access import persons_visible_to
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Person

MSG_SEARCH_NOT_ALLOWED = "Kun Kriminalforsorgens medarbejdere kan søge personer frem på CPR-nummer."


def person_search_by_cpr(user, cpr: str, *, purpose: str = "Søgning på CPR-nummer") -> Person | None:
    """Exact-match search by CPR for KRFO staff (Cap.PERSON_VIEW_ALL); None when nobody has that number.

    Bad CPR input raises ValidationError with the Danish message from people.cpr. Every search, hit or
    miss, writes one `people.search` audit event (the person when found; never the searched number).
    """
    if not user_can(user, Cap.PERSON_VIEW_ALL):
        raise PermissionDenied(MSG_SEARCH_NOT_ALLOWED)
    normalized = normalize_cpr(cpr)
    person = persons_visible_to(user).filter(cpr=normalized).first()
    audit_record(
        "people.search",
        acting_user=user,
        person=person,
        obj=person,
        purpose=purpose,
        details={"found": person is not None},
    )
    return person
