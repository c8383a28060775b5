"""Writes in the organisations context: one function per business event, audited in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.organisations.access import active_membership, may_propose_change_for, user_can
from samarbejde.organisations.models import (
    ChangeRequestStatus,
    ChangeTarget,
    Contact,
    ContactChangeRequest,
    ContactFunction,
    Department,
    Membership,
    NoticeRoute,
    Organisation,
)
from samarbejde.organisations.roles import Cap, Role
from samarbejde.organisations.routing import route_condition_label, routing_topic

MSG_NOT_YOURS = "Du kan kun foreslå ændringer til din egen kommunes kontakter."
MSG_ALREADY_DECIDED = "Forslaget er allerede behandlet."
MSG_REASON_REQUIRED = "Skriv en begrundelse, så forslagsstilleren ved, hvorfor forslaget er afvist."
MSG_CONTACT_MISMATCH = "Kontakten hører ikke til den valgte kommune."
MSG_NO_CHANGE = "Forslaget ændrer ikke noget. Ret mindst ét felt, eller vælg en anden kontakt."
MSG_FUNCTION = "Vælg en af kommunens fem funktioner."
REASON_MAX_LENGTH = 2000
MSG_REASON_TOO_LONG = f"Begrundelsen må højst være {REASON_MAX_LENGTH} tegn."


MSG_MEMBERSHIP_EXISTS = (
    "Brugeren har allerede den rolle i organisationen (og afdelingen). Ret den eksisterende tilknytning i stedet."
)
MSG_MEMBERSHIP_ADMIN_ONLY = "Kun administratorer kan ændre og deaktivere tilknytninger."
MSG_MEMBERSHIP_OWN_ROLE = (
    "Du kan ikke ændre rollen på den tilknytning, du selv arbejder som nu. Bed en anden administrator om det."
)
MSG_MEMBERSHIP_OWN_REVOKE = (
    "Du kan ikke deaktivere den tilknytning, du selv arbejder som nu. Bed en anden administrator om det."
)


@transaction.atomic
def membership_grant(
    user, *, organisation: Organisation, role: str, department: Department | None = None, acting_user=None
) -> Membership:
    """Give a user a job in an organisation (idempotent). Administrators also get Django's is_staff.

    Granting an inactive membership again reactivates it. Audited `organisations.membership_grant` when
    the membership is created or reactivated (`details.reactivated`), not when it was already active.
    """
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, department=department, role=role, defaults={"is_active": True}
    )
    membership.full_clean()
    reactivated = not membership.is_active
    if reactivated:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    _staff_for_administrators(membership)
    if created or reactivated:
        audit_record(
            "organisations.membership_grant",
            acting_user=acting_user,
            obj=membership,
            organisation=organisation,
            details={"reactivated": True} if reactivated else None,
        )
    return membership


def _staff_for_administrators(membership: Membership) -> None:
    """An administrator membership gives Django's is_staff (the admin site still checks the capability)."""
    user = membership.user
    if membership.role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def _require_membership_admin(acting_user) -> None:
    if not user_can(acting_user, Cap.ADMIN_SITE):
        raise PermissionDenied(MSG_MEMBERSHIP_ADMIN_ONLY)


def _is_in_use_by(membership: Membership, acting_user) -> bool:
    current = active_membership(acting_user)
    return current is not None and current.pk == membership.pk


def membership_exists(
    user, *, organisation: Organisation, role: str, department: Department | None, exclude: Membership | None = None
) -> bool:
    """Whether the user already holds this role there (the two partial unique constraints, as a question)."""
    others = Membership.objects.filter(user=user, organisation=organisation, department=department, role=role)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


@transaction.atomic
def membership_update(membership: Membership, *, role: str, department: Department | None, acting_user) -> Membership:
    """Change the role and/or department of a membership (the user and organisation stay), audited
    `organisations.membership_update` with the changed field names and the roles before and after.

    The same guards as membership_grant (Membership.full_clean: the role fits the organisation kind, the
    department belongs to it), plus: no duplicate of another membership, and an administrator cannot change
    the role of the membership they are working as. An edit that changes nothing writes nothing.
    """
    _require_membership_admin(acting_user)
    locked = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
    new = {"role": role, "department_id": department.pk if department else None}
    changed = sorted(name.removesuffix("_id") for name, value in new.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    if "role" in changed and _is_in_use_by(locked, acting_user):
        raise ValidationError({"role": MSG_MEMBERSHIP_OWN_ROLE}, code="own_membership")
    if membership_exists(
        locked.user, organisation=locked.organisation, role=role, department=department, exclude=locked
    ):
        raise ValidationError({"role": MSG_MEMBERSHIP_EXISTS}, code="membership_exists")
    previous_role = locked.role
    locked.role = role
    locked.department = department
    locked.full_clean(validate_constraints=False)  # the constraints are the duplicate check above
    locked.save(update_fields=[*changed, "updated_at"])
    _staff_for_administrators(locked)
    details: dict = {"fields": changed}
    if "role" in changed:
        details.update(previous_role=previous_role, role=role)
    audit_record(
        "organisations.membership_update",
        acting_user=acting_user,
        obj=locked,
        organisation=locked.organisation,
        details=details,
    )
    return locked


@transaction.atomic
def membership_revoke(membership: Membership, *, acting_user) -> Membership:
    """Deactivate a membership (kept, not deleted: audit events point at it), audited
    `organisations.membership_revoke`. Revoking an inactive one is harmless; an administrator cannot revoke
    the membership they are working as (they would lock themselves out mid-request).
    """
    _require_membership_admin(acting_user)
    locked = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    if not locked.is_active:
        return locked
    if _is_in_use_by(locked, acting_user):
        raise ValidationError({"is_active": MSG_MEMBERSHIP_OWN_REVOKE}, code="own_membership")
    locked.is_active = False
    locked.save(update_fields=["is_active", "updated_at"])
    audit_record(
        "organisations.membership_revoke", acting_user=acting_user, obj=locked, organisation=locked.organisation
    )
    return locked


@transaction.atomic
def change_request_propose(
    municipality: Organisation,
    *,
    function: str,
    contact: Contact | None = None,
    fields: dict[str, str],
    message: str = "",
    acting_user,
) -> ContactChangeRequest:
    """Propose a change to a municipality's contact (or a new contact when `contact` is None).

    `before` keeps the contact as the proposer saw it (approval replaces it with the state it
    actually changed). A proposal identical to the contact is refused with MSG_NO_CHANGE.
    """
    if not may_propose_change_for(acting_user, municipality):
        raise PermissionDenied(MSG_NOT_YOURS)
    if contact is not None and contact.organisation_id != municipality.pk:
        raise ValidationError(MSG_CONTACT_MISMATCH, code="contact_mismatch")
    if function not in ContactFunction.values or function == ContactFunction.KRFO_CONTACT:
        raise ValidationError(MSG_FUNCTION, code="function")
    proposed = {name: (fields.get(name) or "").strip() for name in Contact.EDITABLE_FIELDS}
    if contact is not None and proposed == contact.snapshot() and function == contact.function:
        raise ValidationError(MSG_NO_CHANGE, code="no_change")
    return _propose(
        municipality,
        message=message,
        acting_user=acting_user,
        purpose=f"Ændringsforslag til kontaktlisten for {municipality.display_name}",
        contact=contact,
        function=function,
        before=contact.snapshot() if contact is not None else None,
        **proposed,
    )


def _propose(municipality: Organisation, *, message: str, acting_user, purpose: str, **fields) -> ContactChangeRequest:
    """Save a checked proposal (a contact's or a routing line's) with its proposer, and audit it."""
    membership = active_membership(acting_user)
    request = ContactChangeRequest(
        organisation=municipality,
        message=(message or "").strip(),
        proposed_by=acting_user,
        proposed_by_organisation=membership.organisation,
        **fields,
    )
    _full_clean_with_text_limits(request)
    request.save()
    audit_record("organisations.change_request_propose", acting_user=acting_user, obj=request, purpose=purpose)
    return request


def _full_clean_with_text_limits(instance) -> None:
    """full_clean(), plus the max_length of TextFields, which Django enforces only in forms."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        is_text = field.get_internal_type() == "TextField" and field.max_length and isinstance(value, str)
        if is_text and len(value) > field.max_length:
            errors[field.name] = [f"Teksten må højst være {field.max_length} tegn. Du har skrevet {len(value)}."]
    try:
        instance.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _lock_pending(change_request: ContactChangeRequest) -> ContactChangeRequest:
    locked = ContactChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if locked.status != ChangeRequestStatus.PENDING:
        raise ValidationError(MSG_ALREADY_DECIDED, code="already_decided")
    return locked


def _require_reviewer(acting_user) -> None:
    membership = active_membership(acting_user)
    if membership is None or not membership.can(Cap.DIRECTORY_REVIEW):
        raise PermissionDenied("Kun administratorer kan behandle ændringsforslag.")


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(MSG_REASON_TOO_LONG, code="reason_too_long")
    return reason


@transaction.atomic
def change_request_approve(change_request: ContactChangeRequest, *, reason: str = "", acting_user):
    """Apply the proposal to the directory; keep before/after on the request as the history. Returns the contact
    (or, for a routing request, the routing line, or None when the line was removed)."""
    _require_reviewer(acting_user)
    reason = _clean_reason(reason)
    locked = _lock_pending(change_request)
    if locked.is_route:
        return _approve_route(locked, reason=reason, acting_user=acting_user)
    contact = locked.contact
    if contact is None:
        contact = Contact(organisation=locked.organisation, function=locked.function)
        before = None
    else:
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = contact.snapshot()
    for name, value in locked.proposed().items():
        setattr(contact, name, value)
    contact.function = locked.function
    _full_clean_with_text_limits(contact)
    contact.save()
    locked.contact = contact
    locked.status = ChangeRequestStatus.APPROVED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.before = before
    locked.after = contact.snapshot()
    locked.save()
    audit_record(
        "organisations.change_request_approve",
        acting_user=acting_user,
        obj=locked,
        purpose=f"Godkendt ændring af kontaktlisten for {locked.organisation.display_name}",
        details={"contact": str(contact.pk)},
    )
    return contact


@transaction.atomic
def change_request_reject(change_request: ContactChangeRequest, *, reason: str, acting_user) -> ContactChangeRequest:
    """Refuse the proposal with a reason the proposer sees; the directory is untouched."""
    _require_reviewer(acting_user)
    reason = _clean_reason(reason)
    if not reason:
        raise ValidationError(MSG_REASON_REQUIRED, code="reason_required")
    locked = _lock_pending(change_request)
    locked.status = ChangeRequestStatus.REJECTED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save()
    audit_record(
        "organisations.change_request_reject",
        acting_user=acting_user,
        obj=locked,
        purpose=f"Afvist ændringsforslag for {locked.organisation.display_name}",
    )
    return locked


# --- The routing table (which unit receives which notices) ------------------------------------------------

MSG_ROUTE_TOPIC = "Vælg, hvilke underretninger fordelingen gælder."
MSG_ROUTE_SUBJECT = "Vælg en af de ydelser eller pensioner, fordelingen kan gælde for, eller lad feltet stå tomt."
MSG_ROUTE_DEPARTMENT = "Vælg en af kommunens enheder."
MSG_ROUTE_NOT_MUNICIPALITY = "Fordelingen af underretninger gælder kun kommunerne."
MSG_ROUTE_NO_CHANGE = "Forslaget ændrer ikke fordelingen. Vælg en anden enhed, eller vælg en anden linje."
MSG_ROUTE_NOTE_TOO_LONG = "Bemærkningen må højst være 300 tegn."
MSG_ROUTE_NOT_ALLOWED = "Kun administratorer kan ændre fordelingen direkte; andre foreslår en ændring."


def notice_route_clean(organisation: Organisation, topic: str, subject: str, department: Department | None, note: str):
    """The guards of a routing line (Danish messages keyed by field): (topic, subject, note) cleaned."""
    if not organisation.is_municipality:
        raise ValidationError(MSG_ROUTE_NOT_MUNICIPALITY, code="route_not_municipality")
    found = routing_topic(topic or "")
    if found is None:
        raise ValidationError({"topic": MSG_ROUTE_TOPIC}, code="route_topic")
    subject = (subject or "").strip()
    if subject and subject not in dict(found.subjects):
        raise ValidationError({"subject": MSG_ROUTE_SUBJECT}, code="route_subject")
    if department is not None and department.organisation_id != organisation.pk:
        raise ValidationError({"department": MSG_ROUTE_DEPARTMENT}, code="route_department")
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": MSG_ROUTE_NOTE_TOO_LONG}, code="route_note")
    return topic, subject, note


def _route_line(organisation: Organisation, topic: str, subject: str) -> NoticeRoute | None:
    return (
        NoticeRoute.objects.select_for_update()
        .select_related("department")
        .filter(organisation=organisation, topic=topic, subject=subject)
        .first()
    )


def _apply_route(organisation, topic, subject, department, note, *, acting_user, purpose: str):
    """Create, change or remove (department None) one line; returns (line or None, before, after)."""
    line = _route_line(organisation, topic, subject)
    before = line.snapshot() if line is not None else None
    if department is None:
        if line is not None:
            line.delete()
        after = None
        line = None
    else:
        line = line or NoticeRoute(organisation=organisation, topic=topic, subject=subject)
        line.department = department
        line.note = note
        line.save()
        after = line.snapshot()
    audit_record(
        "organisations.notice_route_save" if department is not None else "organisations.notice_route_delete",
        acting_user=acting_user,
        obj=line,
        organisation=organisation,
        purpose=purpose,
        details={"topic": topic, "subject": subject, "department": str(department.pk) if department else None},
    )
    return line, before, after


@transaction.atomic
def notice_route_save(
    organisation: Organisation,
    *,
    topic: str,
    subject: str = "",
    department: Department | None,
    note: str = "",
    acting_user,
) -> NoticeRoute | None:
    """An administrator sets which unit of a municipality receives a topic (and subject) of notices; with
    `department` None the line is removed and the default routing applies. Notices already sent keep their unit."""
    membership = active_membership(acting_user)
    if membership is None or not membership.can(Cap.DIRECTORY_REVIEW):
        raise PermissionDenied(MSG_ROUTE_NOT_ALLOWED)
    topic, subject, note = notice_route_clean(organisation, topic, subject, department, note)
    line, _before, _after = _apply_route(
        organisation,
        topic,
        subject,
        department,
        note,
        acting_user=acting_user,
        purpose=f"Fordeling af underretninger for {organisation.display_name}: {route_condition_label(topic, subject)}",
    )
    return line


@transaction.atomic
def route_change_propose(
    municipality: Organisation,
    *,
    topic: str,
    subject: str = "",
    department: Department | None,
    note: str = "",
    message: str = "",
    acting_user,
) -> ContactChangeRequest:
    """A municipality's coordinator (or KRFO) proposes which unit receives a topic of notices (None: remove the
    line, back to the default routing). Reviewed like a contact change; approval applies it (notice_route_save's
    rules). A proposal identical to the current line is refused."""
    if not may_propose_change_for(acting_user, municipality):
        raise PermissionDenied(MSG_NOT_YOURS)
    topic, subject, note = notice_route_clean(municipality, topic, subject, department, note)
    current = (
        NoticeRoute.objects.select_related("department")
        .filter(organisation=municipality, topic=topic, subject=subject)
        .first()
    )
    if (current is None and department is None) or (
        current is not None
        and department is not None
        and current.department_id == department.pk
        and current.note == note
    ):
        raise ValidationError(MSG_ROUTE_NO_CHANGE, code="no_change")
    return _propose(
        municipality,
        message=message,
        acting_user=acting_user,
        purpose=f"Ændringsforslag til fordelingen af underretninger for {municipality.display_name}",
        target=ChangeTarget.ROUTE,
        route=current,
        route_topic=topic,
        route_subject=subject,
        route_department=department,
        notes=note,
        before=current.snapshot() if current is not None else None,
    )


def _approve_route(locked: ContactChangeRequest, *, reason: str, acting_user):
    department = locked.route_department
    topic, subject, note = notice_route_clean(
        locked.organisation, locked.route_topic, locked.route_subject, department, locked.notes
    )
    line, before, after = _apply_route(
        locked.organisation,
        topic,
        subject,
        department,
        note,
        acting_user=acting_user,
        purpose=f"Godkendt ændring af fordelingen for {locked.organisation.display_name}",
    )
    locked.route = line
    locked.status = ChangeRequestStatus.APPROVED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.before = before
    locked.after = after
    locked.save()
    audit_record(
        "organisations.change_request_approve",
        acting_user=acting_user,
        obj=locked,
        purpose=f"Godkendt ændring af fordelingen for {locked.organisation.display_name}",
        details={"route": str(line.pk) if line else None},
    )
    return line
