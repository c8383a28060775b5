"""The change-request services: propose, approve, reject; permissions, snapshots, audit, no half-saves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations import services
from samarbejde.organisations.models import ChangeRequestStatus, Contact, ContactChangeRequest, ContactFunction
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import ContactFactory, user_with_role

pytestmark = pytest.mark.django_db


def propose(user, municipality, contact=None, **changes):
    fields = contact.snapshot() if contact is not None else {"unit_name": "Ny enhed"}
    fields.update(changes)
    return services.change_request_propose(
        municipality,
        function=contact.function if contact is not None else ContactFunction.GANG_EXIT,
        contact=contact,
        fields=fields,
        message="Nyt telefonnummer fra 1. maj.",
        acting_user=user,
    )


def test_propose_keeps_the_contact_unchanged_and_snapshots_what_the_proposer_saw(kbh, contact, coordinator):
    request = propose(coordinator, kbh, contact, phone="70 10 20 30")
    contact.refresh_from_db()
    assert contact.phone == "33 66 33 66"
    assert request.status == ChangeRequestStatus.PENDING
    assert request.before == contact.snapshot()
    assert request.phone == "70 10 20 30"
    assert request.proposed_by == coordinator
    assert request.proposed_by_organisation == kbh
    event = AuditEvent.objects.get(action="organisations.change_request_propose")
    assert event.object_id == str(request.pk) and event.actor == coordinator and event.organisation == kbh


def test_approve_applies_the_change_and_keeps_before_and_after(kbh, contact, coordinator, admin_user):
    request = propose(coordinator, kbh, contact, phone="70 10 20 30", notes="Ring før kl. 12.")
    services.change_request_approve(request, reason="Bekræftet", acting_user=admin_user)
    contact.refresh_from_db()
    request.refresh_from_db()
    assert contact.phone == "70 10 20 30" and contact.notes == "Ring før kl. 12."
    assert request.status == ChangeRequestStatus.APPROVED
    assert request.decided_by == admin_user and request.decided_at is not None
    assert request.decision_reason == "Bekræftet"
    assert request.before["phone"] == "33 66 33 66" and request.before["notes"] == ""
    assert request.after == contact.snapshot()
    event = AuditEvent.objects.get(action="organisations.change_request_approve")
    assert event.object_id == str(request.pk) and event.details == {"contact": str(contact.pk)}


def test_approving_a_new_contact_creates_it(kbh, krfo_user, admin_user):
    request = propose(krfo_user, kbh, None, unit_name="Exit-enheden", phone="12 34 56 78")
    created = services.change_request_approve(request, acting_user=admin_user)
    assert created.organisation == kbh and created.function == ContactFunction.GANG_EXIT
    assert created.unit_name == "Exit-enheden"
    request.refresh_from_db()
    assert request.contact == created and request.before is None and request.after["phone"] == "12 34 56 78"


def test_reject_leaves_the_contact_alone_and_needs_a_reason(kbh, contact, coordinator, admin_user):
    request = propose(coordinator, kbh, contact, phone="70 10 20 30")
    with pytest.raises(ValidationError) as excinfo:
        services.change_request_reject(request, reason="   ", acting_user=admin_user)
    assert services.MSG_REASON_REQUIRED in excinfo.value.messages
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.PENDING
    services.change_request_reject(request, reason="Nummeret er forkert.", acting_user=admin_user)
    request.refresh_from_db()
    contact.refresh_from_db()
    assert request.status == ChangeRequestStatus.REJECTED and request.decision_reason == "Nummeret er forkert."
    assert contact.phone == "33 66 33 66"
    assert (
        AuditEvent.objects.filter(action="organisations.change_request_reject", object_id=str(request.pk)).count() == 1
    )


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_deciding_twice_is_refused_with_a_danish_message(kbh, contact, coordinator, admin_user, first, second):
    request = propose(coordinator, kbh, contact, phone="70 10 20 30")
    decide = {
        "approve": lambda: services.change_request_approve(request, reason="ok", acting_user=admin_user),
        "reject": lambda: services.change_request_reject(request, reason="nej", acting_user=admin_user),
    }
    decide[first]()
    with pytest.raises(ValidationError) as excinfo:
        decide[second]()
    assert excinfo.value.code == "already_decided"
    assert excinfo.value.messages == [services.MSG_ALREADY_DECIDED]
    decided = AuditEvent.objects.filter(
        action__in=["organisations.change_request_approve", "organisations.change_request_reject"]
    )
    assert decided.count() == 1


def test_a_coordinator_may_not_propose_for_another_municipality(aarhus, coordinator):
    other = ContactFactory(organisation=aarhus)
    with pytest.raises(PermissionDenied):
        propose(coordinator, aarhus, other, phone="1")
    assert not ContactChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="organisations.change_request_propose").exists()


def test_a_contact_of_another_municipality_is_refused(kbh, aarhus, krfo_user):
    other = ContactFactory(organisation=aarhus)
    with pytest.raises(ValidationError) as excinfo:
        services.change_request_propose(
            kbh, function=other.function, contact=other, fields={"unit_name": "x"}, acting_user=krfo_user
        )
    assert excinfo.value.messages == [services.MSG_CONTACT_MISMATCH]
    assert not ContactChangeRequest.objects.exists()


@pytest.mark.parametrize("function", [ContactFunction.KRFO_CONTACT, "nonsense", ""])
def test_only_the_five_municipal_functions(kbh, krfo_user, function):
    with pytest.raises(ValidationError):
        services.change_request_propose(kbh, function=function, fields={"unit_name": "x"}, acting_user=krfo_user)
    assert not ContactChangeRequest.objects.exists()


def test_a_proposal_that_changes_nothing_is_refused(kbh, contact, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        propose(coordinator, kbh, contact)
    assert excinfo.value.code == "no_change"
    assert excinfo.value.messages[0].startswith("Forslaget ændrer ikke noget")
    # Whitespace alone is no change either.
    with pytest.raises(ValidationError):
        propose(coordinator, kbh, contact, unit_name=f"  {contact.unit_name}  ")
    assert not ContactChangeRequest.objects.exists()


def test_invalid_fields_save_nothing(kbh, contact, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        propose(coordinator, kbh, contact, notes="x" * 4000, secure_mailbox="ikke en adresse")
    assert {"notes", "secure_mailbox"} <= set(excinfo.value.message_dict)
    assert not ContactChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="organisations.change_request_propose").exists()


@pytest.mark.parametrize(
    "role",
    [role for role in Role.values if role != Role.ADMINISTRATOR],
)
def test_only_reviewers_decide(kbh, contact, coordinator, role):
    request = propose(coordinator, kbh, contact, phone="1")
    user = user_with_role(role)
    with pytest.raises(PermissionDenied):
        services.change_request_approve(request, acting_user=user)
    with pytest.raises(PermissionDenied):
        services.change_request_reject(request, reason="nej", acting_user=user)
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.PENDING


def test_a_too_long_decision_reason_is_refused(kbh, contact, coordinator, admin_user):
    request = propose(coordinator, kbh, contact, phone="1")
    for decide in (services.change_request_approve, services.change_request_reject):
        with pytest.raises(ValidationError) as excinfo:
            decide(request, reason="x" * 2001, acting_user=admin_user)
        assert excinfo.value.messages == [services.MSG_REASON_TOO_LONG]
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.PENDING
    assert Contact.objects.get(pk=contact.pk).phone == "33 66 33 66"
