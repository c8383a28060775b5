from dataclasses import dataclass

from django.db.models import Count, QuerySet

from samarbejde.organisations import search
from samarbejde.organisations.access import change_requests_visible_to
from samarbejde.organisations.models import (
    MUNICIPAL_FUNCTIONS,
    PENDING_FIRST,
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
    return qs.order_by(PENDING_FIRST, "-created_at", "-id")  # served by the index changerequest_pending_first


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


ROUTE_FIELDS = (
    ("topic", "Underretning om"),
    ("subject", "Når borgeren modtager"),
    ("department_name", "Modtagende enhed"),
    ("note", "Bemærkning"),
)


def _route_value(name: str, snapshot: dict) -> str:
    from samarbejde.organisations.routing import routing_topic

    value = str(snapshot.get(name) or "")
    if name == "topic":
        found = routing_topic(value)
        return found.label if found else value
    if name == "subject":
        found = routing_topic(str(snapshot.get("topic") or ""))
        return dict(found.subjects).get(value, value) if found and value else ("Alle" if snapshot else "")
    if name == "department_name" and snapshot and not value:
        return "Standardfordeling"
    return value


def _field_changes(before: dict | None, after: dict | None, *, route: bool = False) -> list[FieldChange]:
    if route:
        # No line on a side (a new line before, a removed line after): the default routing, same topic and subject.
        other = after or before or {}
        default = {"topic": other.get("topic", ""), "subject": other.get("subject", ""), "department_name": ""}
        before_shown = before if before is not None else default
        after_shown = after if after is not None else default
        return [
            FieldChange(name, label, _route_value(name, before_shown), _route_value(name, after_shown))
            for name, label in ROUTE_FIELDS
        ]
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
    route = change_request.is_route
    if route:
        proposed = change_request.proposed()
        if not proposed["department"]:
            proposed = None  # removing the line
        if change_request.status == ChangeRequestStatus.PENDING:
            current = change_request.route.snapshot() if change_request.route is not None else None
            return _field_changes(current, proposed, route=True)
        if change_request.status == ChangeRequestStatus.APPROVED:
            return _field_changes(change_request.before, change_request.after, route=True)
        return _field_changes(change_request.before, proposed, route=True)
    if change_request.status == ChangeRequestStatus.PENDING:
        current = change_request.contact.snapshot() if change_request.contact is not None else None
        return _field_changes(current, change_request.proposed())
    if change_request.status == ChangeRequestStatus.APPROVED:
        return _field_changes(change_request.before, change_request.after)
    return _field_changes(change_request.before, change_request.proposed())


def contact_changed_since_proposal(change_request: ContactChangeRequest) -> bool:
    """True when a pending request's contact was changed after the proposer saw it."""
    if change_request.status != ChangeRequestStatus.PENDING:
        return False
    current = change_request.route if change_request.is_route else change_request.contact
    if current is None:
        return False
    return change_request.before is not None and change_request.before != current.snapshot()


def contact_history(municipality: Organisation) -> QuerySet[ContactChangeRequest]:
    """The approved changes to a municipality's contacts, newest first (public: no proposer shown)."""
    return (
        ContactChangeRequest.objects.filter(organisation=municipality, status=ChangeRequestStatus.APPROVED)
        .only(
            "id",
            "organisation_id",
            "target",
            "function",
            "route_topic",
            "route_subject",
            "decided_at",
            "before",
            "after",
            "created_at",
        )
        .order_by("-decided_at", "-id")
    )


def history_changes(change_request: ContactChangeRequest) -> list[FieldChange]:
    """Only the fields an approved change altered."""
    changes = _field_changes(change_request.before, change_request.after, route=change_request.is_route)
    return [change for change in changes if change.changed]


# --- Routing of notices (organisations.NoticeRoute) and the units and contacts notices name -------------


def notice_routes_of(organisations) -> dict:
    """The routing lines of several organisations in one query: {(organisation id, topic, subject): line}."""
    from samarbejde.organisations.models import NoticeRoute

    ids = {o.pk for o in organisations}
    if not ids:
        return {}
    lines = NoticeRoute.objects.filter(organisation_id__in=ids).select_related("organisation", "department")
    return {(line.organisation_id, line.topic, line.subject): line for line in lines}


def departments_of(organisations) -> dict:
    """The units of several organisations in one query: {(organisation id, kind): Department}."""
    from samarbejde.organisations.models import Department

    ids = {o.pk for o in organisations}
    if not ids:
        return {}
    return {(d.organisation_id, d.kind): d for d in Department.objects.filter(organisation_id__in=ids)}


def notice_routes_for(municipality: Organisation) -> list:
    """A municipality's routing lines, by topic and subject (the directory page and the admin show them)."""
    return list(municipality.notice_routes.select_related("department").order_by("topic", "subject"))


def krfo_contacts_of(organisation: Organisation, municipalities) -> dict:
    """The sending KRFO unit's contact persons covering each of the municipalities: {municipality id: Contact}
    (the first by sort order), in one query."""
    ids = {m.pk for m in municipalities}
    if not ids:
        return {}
    found: dict = {}
    contacts = Contact.objects.filter(
        organisation=organisation, function=ContactFunction.KRFO_CONTACT, covers__in=ids
    ).values_list("covers", "unit_name", "person_name", "phone", "secure_mailbox", "sort_order")
    for covered, unit_name, person_name, phone, mailbox, _order in sorted(contacts, key=lambda row: row[5]):
        found.setdefault(
            covered, {"unit_name": unit_name, "person_name": person_name, "phone": phone, "secure_mailbox": mailbox}
        )
    return found


@dataclass(frozen=True)
class RoutingRow:
    """One row of a municipality's routing table as the directory shows it: what, to which unit, and whether a
    line of the municipality's own says so (else the default routing)."""

    topic: str
    subject: str
    label: str
    unit: str
    own_line: object = None
    note: str = ""


def routing_table(municipality: Organisation, default_unit_kind) -> list[RoutingRow]:
    """Every topic (and, for topics with subjects, every subject) with the unit that receives it: the
    municipality's own line when there is one, else the default routing (`default_unit_kind(topic, subjects)`,
    given by the rules). Two queries."""
    from samarbejde.organisations.routing import route_condition_label, routing_topics

    lines = {(line.topic, line.subject): line for line in notice_routes_for(municipality)}
    units = {d.kind: d for d in municipality.departments.all()}
    rows = []
    for topic in routing_topics():
        subjects = [value for value, _label in topic.subjects] or [""]
        for subject in subjects:
            line = lines.get((topic.value, subject)) or lines.get((topic.value, ""))
            if line is not None:
                unit, note = line.department.name, line.note
            else:
                kind = default_unit_kind(topic.value, (subject,) if subject else ())
                department = units.get(kind)
                unit = f"{department.name} (standard)" if department else "Kommunen som helhed (standard)"
                note = ""
            rows.append(RoutingRow(topic.value, subject, route_condition_label(topic.value, subject), unit, line, note))
    return rows
