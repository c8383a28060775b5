"""Writes in the organisations context: one function per business event, audited in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.organisations.access import active_membership, may_propose_change_for
from samarbejde.organisations.models import (
    ChangeRequestStatus,
    Contact,
    ContactChangeRequest,
    ContactFunction,
    Department,
    Membership,
    Organisation,
)
from samarbejde.organisations.roles import Cap, Role

MSG_NOT_YOURS = "Du kan kun foreslå ændringer til din egen kommunes kontakter."
MSG_ALREADY_DECIDED = "Forslaget er allerede behandlet."
MSG_REASON_REQUIRED = "Skriv en begrundelse, så forslagsstilleren ved, hvorfor forslaget er afvist."
MSG_CONTACT_MISMATCH = "Kontakten hører ikke til den valgte kommune."
MSG_NO_CHANGE = "Forslaget ændrer ikke noget. Ret mindst ét felt, eller vælg en anden kontakt."
MSG_FUNCTION = "Vælg en af kommunens fem funktioner."
REASON_MAX_LENGTH = 2000
MSG_REASON_TOO_LONG = f"Begrundelsen må højst være {REASON_MAX_LENGTH} tegn."


@transaction.atomic
def membership_grant(
    user, *, organisation: Organisation, role: str, department: Department | None = None, acting_user=None
) -> Membership:
    """Give a user a job in an organisation (idempotent). Administrators also get Django's is_staff."""
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, department=department, role=role, defaults={"is_active": True}
    )
    membership.full_clean()
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    if role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit_record(
            "organisations.membership_grant", acting_user=acting_user, obj=membership, organisation=organisation
        )
    return membership


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
    membership = active_membership(acting_user)
    request = ContactChangeRequest(
        organisation=municipality,
        contact=contact,
        function=function,
        message=(message or "").strip(),
        proposed_by=acting_user,
        proposed_by_organisation=membership.organisation,
        before=contact.snapshot() if contact is not None else None,
        **proposed,
    )
    _full_clean_with_text_limits(request)
    request.save()
    audit_record(
        "organisations.change_request_propose",
        acting_user=acting_user,
        obj=request,
        purpose=f"Ændringsforslag til kontaktlisten for {municipality.display_name}",
    )
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
def change_request_approve(change_request: ContactChangeRequest, *, reason: str = "", acting_user) -> Contact:
    """Apply the proposal to the directory; keep before/after on the request as the history."""
    _require_reviewer(acting_user)
    reason = _clean_reason(reason)
    locked = _lock_pending(change_request)
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
