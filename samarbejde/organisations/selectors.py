from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from samarbejde.organisations import search
from samarbejde.organisations.access import change_requests_visible_to
from samarbejde.organisations.models import (
    MUNICIPAL_FUNCTIONS,
    ChangeRequestStatus,
    Contact,
    ContactChangeRequest,
    ContactFunction,
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


def municipality_search(*, query: str = "", region: str = "", police_district: str = "") -> list[Organisation]:
    """Active municipalities by name, filtered in one query by region and police district; then by the search
    text (a code, or part of the name folded for case and æ/ø/å, see organisations.search) in Python: there
    are 98 rows, and neither SQLite nor PostgreSQL folds "koebenhavn" to "København"."""
    qs = municipalities()
    if region:
        qs = qs.filter(region__code=region)
    if police_district:
        qs = qs.filter(police_district__code=police_district)
    rows = list(qs.order_by("name"))
    query = query.strip()
    folded = search.fold(query)
    if not folded:
        return rows
    return [m for m in rows if m.code == query or search.matches(folded, m.name)]


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


# --- Change requests -------------------------------------------------------------------------------


def change_requests_for_list(user, *, status: str = "", municipality_code: str = "") -> QuerySet[ContactChangeRequest]:
    """The change requests a user may see, pending first, then newest first; one query per page."""
    qs = change_requests_visible_to(user).select_related("proposed_by_organisation", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if municipality_code:
        qs = qs.filter(organisation__code=municipality_code)
    pending_first = Case(
        When(status=ChangeRequestStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.order_by(pending_first, "-created_at", "-id")


def contacts_for_proposal(municipality: Organisation) -> list[Contact]:
    """A municipality's contacts in the order of the five functions (as on the public page)."""
    order = {function.value: index for index, function in enumerate(MUNICIPAL_FUNCTIONS)}
    contacts = municipality.contacts.exclude(function=ContactFunction.KRFO_CONTACT).order_by("sort_order", "unit_name")
    return sorted(contacts, key=lambda contact: order.get(contact.function, len(order)))


def municipality_choices() -> list[tuple[str, str]]:
    return list(municipalities().order_by("name").values_list("code", "name"))


@dataclass(frozen=True)
class FieldChange:
    """One editable field of a contact: its Danish label, the value before and after, and whether it differs."""

    name: str
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def field_label(name: str) -> str:
    return str(Contact._meta.get_field(name).verbose_name).capitalize()


def _field_changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    before = before or {}
    after = after or {}
    return [
        FieldChange(name, field_label(name), str(before.get(name) or ""), str(after.get(name) or ""))
        for name in Contact.EDITABLE_FIELDS
    ]


def change_request_comparison(change_request: ContactChangeRequest) -> list[FieldChange]:
    """Every editable field, old vs new, for the detail page.

    Pending: the contact as it is now vs the proposal (what approving would change).
    Approved: the contact just before approval vs after. Rejected: as the proposer saw it vs the proposal.
    """
    if change_request.status == ChangeRequestStatus.PENDING:
        current = change_request.contact.snapshot() if change_request.contact is not None else None
        return _field_changes(current, change_request.proposed())
    if change_request.status == ChangeRequestStatus.APPROVED:
        return _field_changes(change_request.before, change_request.after)
    return _field_changes(change_request.before, change_request.proposed())


def contact_changed_since_proposal(change_request: ContactChangeRequest) -> bool:
    """True when a pending request's contact was changed after the proposer saw it."""
    if change_request.status != ChangeRequestStatus.PENDING or change_request.contact is None:
        return False
    return change_request.before is not None and change_request.before != change_request.contact.snapshot()


def contact_history(municipality: Organisation) -> QuerySet[ContactChangeRequest]:
    """The approved changes to a municipality's contacts, newest first (public: no proposer shown)."""
    return (
        ContactChangeRequest.objects.filter(organisation=municipality, status=ChangeRequestStatus.APPROVED)
        .only("id", "organisation_id", "function", "decided_at", "before", "after", "created_at")
        .order_by("-decided_at", "-id")
    )


def history_changes(change_request: ContactChangeRequest) -> list[FieldChange]:
    """Only the fields an approved change altered."""
    return [change for change in _field_changes(change_request.before, change_request.after) if change.changed]
