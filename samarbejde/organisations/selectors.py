from django.db.models import Count, Q, QuerySet

from samarbejde.organisations.models import (
    ChangeRequestStatus,
    Contact,
    ContactChangeRequest,
    Membership,
    Organisation,
    Region,
)
from samarbejde.organisations.roles import OrgKind


def memberships_of(user) -> list[Membership]:
    """Every active membership of a user, with what the header needs, in one query."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(Membership.objects.active().filter(user=user).select_related("organisation", "department"))
        user._memberships_cache = cached
    return cached


def resolve_active_membership(user, membership_id) -> Membership | None:
    """The membership chosen in the session if still valid, else the user's first."""
    memberships = memberships_of(user)
    for membership in memberships:
        if str(membership.pk) == str(membership_id):
            return membership
    return memberships[0] if memberships else None


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, is_active=True).select_related(
        "region", "police_district"
    )


def municipality_search(*, query: str = "", region: str = "", police_district: str = "") -> QuerySet[Organisation]:
    qs = municipalities()
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code=query))
    if region:
        qs = qs.filter(region__code=region)
    if police_district:
        qs = qs.filter(police_district__code=police_district)
    return qs.order_by("name")


def regions() -> QuerySet[Region]:
    return Region.objects.order_by("name")


def police_districts() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrgKind.POLICE_DISTRICT, is_active=True).order_by("name")


def municipality_contacts(municipality: Organisation) -> list[Contact]:
    return list(municipality.contacts.select_related("department").order_by("sort_order", "function"))


def krfo_contacts_for(municipality: Organisation) -> list[Contact]:
    return list(
        Contact.objects.filter(covers=municipality).select_related("organisation").order_by("organisation__name")
    )


def change_requests_pending() -> QuerySet[ContactChangeRequest]:
    return ContactChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).select_related(
        "organisation", "contact", "proposed_by", "proposed_by_organisation"
    )


def change_request_counts() -> dict[str, int]:
    rows = ContactChangeRequest.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
