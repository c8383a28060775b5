"""Who may see which person: every organisation, KRFO's included, only through a live link (ADR 0008).

- A municipality, Udbetaling Danmark or a police district: through the links its notices (and later
  requests, plans, cases) opened, while they live (people.link_rules says when they end).
- A KRFO institution: the inmates it holds, and for a set time those it transferred or released (custody
  opens and ends those links); KiF and the youth unit: the clients linked to them; the central administration:
  none by default. Anything wider is one user's "need access" grant (reason, time box, audit, DPO list).
- Administrators: no case data.
Both access functions return the same 404 for a missing person and a forbidden one.
"""

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.http import Http404

from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap
from samarbejde.people.models import Person, PersonLink


def live_links_of(user, membership=None, at=None) -> QuerySet[PersonLink]:
    """The live links through which `user` (in its active membership) sees persons: its organisation's
    links and its own need-access grants there. Empty for a user who may see no person."""
    membership = membership or active_membership(user)
    if membership is None or not (membership.can(Cap.PERSON_VIEW_ALL) or membership.can(Cap.PERSON_VIEW_LINKED)):
        return PersonLink.objects.none()
    return (
        PersonLink.objects.live(at)
        .filter(organisation_id=membership.organisation_id)
        .filter(Q(granted_to__isnull=True) | Q(granted_to_id=user.pk))
    )


def has_live_link(links: QuerySet[PersonLink]):
    """A filter condition: some row of `links` (correlated with OuterRef) exists. Use it, not Exists(links),
    to scope a list by live links.

    Why not EXISTS: PostgreSQL turns EXISTS into a semi-join and then judges how many rows pass by the link
    table's statistics; when it misjudges the filter on live links (it did by 13x on a generated dataset), it
    hashes every notice of the organisation and sorts them (75 ms at 23,000 notices, growing with the table)
    instead of reading the list's index in order and stopping after a page (1.6 ms). A scalar subquery is never
    made a join: it stays a per-row probe of the link index, so an ordered, LIMITed list costs what its page
    shows. Same rows either way; portable SQL (SQLite runs it too)."""
    return IsNull(Subquery(links.values("pk")[:1]), False)


def persons_visible_to(user, action: str = "view") -> QuerySet[Person]:
    membership = active_membership(user)
    qs = Person.objects.select_related("home_municipality")
    if membership is None:
        return qs.none()
    if action == "register":
        # Registering an admission finds the person by CPR to avoid a duplicate (the look-up is audited).
        return qs if membership.can(Cap.PERSON_REGISTER) else qs.none()
    if action == "need_access":
        # Asking for need access finds the person by CPR (audited); the grant, not the search, shows them.
        return qs if membership.can(Cap.NEED_ACCESS) else qs.none()
    return qs.filter(has_live_link(live_links_of(user, membership).filter(person=OuterRef("pk"))))


def access_person_by_id(user, pk, *, action: str = "view") -> Person:
    try:
        return persons_visible_to(user, action).get(pk=pk)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def may_request_access(user) -> bool:
    """KRFO staff who see clients may ask for time-boxed access to a person outside their scope."""
    membership = active_membership(user)
    return membership is not None and membership.can(Cap.NEED_ACCESS)


# Which fields (full or masked CPR, address, ...) a viewer sees is people.fields' one policy (ADR 0011).
