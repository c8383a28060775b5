"""Reads about persons, always from an access-scoped queryset, audited as reads."""

from django.core.exceptions import PermissionDenied

from samarbejde.audit.services import audit_record
from samarbejde.organisations.access import user_can
from samarbejde.organisations.roles import Cap
from samarbejde.people.access import persons_visible_to
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import LinkReason, Person, PersonLink

MSG_GRANTS_NOT_ALLOWED = "Kun databeskyttelsesrådgiveren og administratorer kan se listen over begrundede adgange."
MSG_SEARCH_NOT_ALLOWED = "Kun Kriminalforsorgens medarbejdere kan søge personer frem på CPR-nummer."


def person_search_by_cpr(
    user, cpr: str, *, purpose: str = "Søgning på CPR-nummer", action: str = "view"
) -> Person | None:
    """Exact-match search by CPR for KRFO staff (Cap.PERSON_VIEW_ALL); None when nobody has that number, or
    when the user may not see the person (`action` "view": a live link; "register": every known person, for
    an admission or a reported event, which must not create a duplicate; "need_access": every known person,
    for a need-access grant). See people.access.persons_visible_to.

    Bad CPR input raises ValidationError with the Danish message from people.cpr. Every search, hit or
    miss, writes one `people.search` audit event (the person when found; never the searched number).
    """
    if not user_can(user, Cap.PERSON_VIEW_ALL):
        raise PermissionDenied(MSG_SEARCH_NOT_ALLOWED)
    normalized = normalize_cpr(cpr)
    person = persons_visible_to(user, action).filter(cpr=normalized).first()
    audit_record(
        "people.search",
        acting_user=user,
        person=person,
        obj=person,
        purpose=purpose,
        details={"found": person is not None},
    )
    return person


def access_grants(user):
    """Every "need access" grant, newest first, for the data-protection officer (Cap.AUDIT_SEARCH): who, for
    whom, why, how long. The page audits the persons it shows."""
    if not user_can(user, Cap.AUDIT_SEARCH):
        raise PermissionDenied(MSG_GRANTS_NOT_ALLOWED)
    return (
        PersonLink.objects.filter(reason=LinkReason.NEED_ACCESS)
        .select_related("person", "organisation", "granted_to")
        .order_by("-opened_at", "-id")
    )


def access_grants_of(user):
    """The user's own live "need access" grants (the need-access page lists them)."""
    return (
        PersonLink.objects.live()
        .filter(reason=LinkReason.NEED_ACCESS, granted_to_id=user.pk)
        .select_related("person")
        .order_by("expires_at")
    )
