"""Who may see which person: KRFO roles see their clients; everybody else only through a live link.

Both functions return the same 404 for a missing person and a forbidden one.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap
from samarbejde.people.models import Person, PersonLink


def persons_visible_to(user, action: str = "view") -> QuerySet[Person]:
    membership = active_membership(user)
    qs = Person.objects.select_related("home_municipality")
    if membership is None:
        return qs.none()
    if action == "register":
        return qs if membership.can(Cap.PERSON_REGISTER) else qs.none()
    if membership.can(Cap.PERSON_VIEW_ALL):
        return qs
    if membership.can(Cap.PERSON_VIEW_LINKED):
        live = PersonLink.objects.live().filter(person=OuterRef("pk"), organisation_id=membership.organisation_id)
        return qs.filter(Exists(live))
    return qs.none()


def access_person_by_id(user, pk, *, action: str = "view") -> Person:
    try:
        return persons_visible_to(user, action).get(pk=pk)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def may_see_full_cpr(user) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.can(Cap.PERSON_VIEW_FULL_CPR)


def display_cpr(user, person: Person) -> str:
    return person.cpr_formatted if may_see_full_cpr(user) else person.cpr_masked
