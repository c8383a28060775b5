"""membership_grant, membership_update and membership_revoke: guards in Danish, nothing half-saved, audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations import services
from samarbejde.organisations.models import Department, Membership
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import UserFactory, organisation, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return user_with_role(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def worker():
    return UserFactory(username="sagsbehandler")


@pytest.fixture
def membership(worker, administrator):
    return services.membership_grant(
        worker, organisation=organisation("101"), role=Role.MUNICIPAL_CASE_WORKER, acting_user=administrator
    )


def department(code: str, kind: str) -> Department:
    return Department.objects.get_or_create(
        organisation=organisation(code), kind=kind, defaults={"name": f"{kind} {code}"}
    )[0]


def stored(membership) -> tuple:
    row = Membership.objects.get(pk=membership.pk)
    return row.role, row.department_id, row.is_active


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# --- grant ----------------------------------------------------------------------------------------------


def test_grant_audits_creation_and_reactivation_but_not_a_repeat(membership, worker, administrator):
    assert events("organisations.membership_grant").filter(object_id=str(membership.pk)).count() == 1
    again = services.membership_grant(
        worker, organisation=organisation("101"), role=Role.MUNICIPAL_CASE_WORKER, acting_user=administrator
    )
    assert again == membership
    assert events("organisations.membership_grant").filter(object_id=str(membership.pk)).count() == 1
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    services.membership_grant(
        worker, organisation=organisation("101"), role=Role.MUNICIPAL_CASE_WORKER, acting_user=administrator
    )
    assert stored(membership)[2] is True
    latest = events("organisations.membership_grant").filter(object_id=str(membership.pk)).latest("id")
    assert latest.details == {"reactivated": True}
    assert latest.actor == administrator


def test_grant_in_the_wrong_kind_of_organisation_saves_nothing(worker):
    with pytest.raises(ValidationError) as refused:
        services.membership_grant(worker, organisation=organisation("101"), role=Role.ADMINISTRATOR)
    assert refused.value.message_dict == {"role": ["Rollen kan ikke bruges i denne type organisation."]}
    assert not Membership.objects.filter(user=worker).exists()
    assert not events("organisations.membership_grant").exists()


# --- update ---------------------------------------------------------------------------------------------


def test_update_changes_role_and_department_and_audits_both(membership, administrator):
    benefits = department("101", "ydelse")
    updated = services.membership_update(
        membership, role=Role.MUNICIPAL_COORDINATOR, department=benefits, acting_user=administrator
    )
    assert stored(membership) == (Role.MUNICIPAL_COORDINATOR, benefits.pk, True)
    assert updated.role == Role.MUNICIPAL_COORDINATOR
    event = events("organisations.membership_update").get()
    assert event.object_id == str(membership.pk)
    assert event.actor == administrator
    assert event.organisation == organisation("101")
    assert event.details == {
        "fields": ["department", "role"],
        "previous_role": Role.MUNICIPAL_CASE_WORKER,
        "role": Role.MUNICIPAL_COORDINATOR,
    }


def test_update_to_administrator_gives_the_staff_flag():
    user = user_with_role(Role.KRFO_MANAGER, "krfo-direktoratet")
    admin = user_with_role(Role.ADMINISTRATOR)
    assert not user.is_staff
    services.membership_update(user.memberships.get(), role=Role.ADMINISTRATOR, department=None, acting_user=admin)
    user.refresh_from_db()
    assert user.is_staff


def test_update_without_a_change_writes_nothing(membership, administrator):
    services.membership_update(membership, role=Role.MUNICIPAL_CASE_WORKER, department=None, acting_user=administrator)
    assert not events("organisations.membership_update").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"role": Role.ADMINISTRATOR}, "role", "Rollen kan ikke bruges i denne type organisation."),
        ({"role": Role.POLICE_OFFICER}, "role", "Rollen kan ikke bruges i denne type organisation."),
        ({"role": "chef"}, "role", "Værdien 'chef' er ikke et gyldigt valg."),
        ({"department": ("751", "ydelse")}, "department", "Afdelingen hører ikke til organisationen."),
        ({"role": Role.MUNICIPAL_COORDINATOR}, "role", services.MSG_MEMBERSHIP_EXISTS),
    ],
)
def test_update_refuses_in_danish_and_changes_nothing(membership, worker, administrator, change, field, message):
    services.membership_grant(worker, organisation=organisation("101"), role=Role.MUNICIPAL_COORDINATOR)
    before = stored(membership)
    arguments = {"role": Role.MUNICIPAL_CASE_WORKER, "department": None, **change}
    if isinstance(arguments["department"], tuple):
        arguments["department"] = department(*arguments["department"])
    with pytest.raises(ValidationError) as refused:
        services.membership_update(membership, acting_user=administrator, **arguments)
    assert message in refused.value.message_dict[field]
    assert stored(membership) == before
    assert not events("organisations.membership_update").exists()


def test_an_administrator_cannot_change_the_role_they_work_as(administrator):
    own = administrator.active_membership
    with pytest.raises(ValidationError) as refused:
        services.membership_update(own, role=Role.KRFO_MANAGER, department=None, acting_user=administrator)
    assert refused.value.message_dict == {"role": [services.MSG_MEMBERSHIP_OWN_ROLE]}
    assert stored(own)[0] == Role.ADMINISTRATOR


@pytest.mark.parametrize("role", [Role.KRFO_MANAGER, Role.MUNICIPAL_COORDINATOR])
def test_only_administrators_update_or_revoke(membership, role):
    other = user_with_role(role)
    with pytest.raises(PermissionDenied):
        services.membership_update(membership, role=Role.MUNICIPAL_COORDINATOR, department=None, acting_user=other)
    with pytest.raises(PermissionDenied):
        services.membership_revoke(membership, acting_user=other)
    assert stored(membership) == (Role.MUNICIPAL_CASE_WORKER, None, True)


# --- revoke ---------------------------------------------------------------------------------------------


def test_revoke_deactivates_once_and_is_audited(membership, administrator):
    services.membership_revoke(membership, acting_user=administrator)
    services.membership_revoke(membership, acting_user=administrator)  # twice is harmless
    assert stored(membership)[2] is False
    event = events("organisations.membership_revoke").get()
    assert (event.object_id, event.actor, event.organisation) == (
        str(membership.pk),
        administrator,
        organisation("101"),
    )


def test_an_administrator_cannot_revoke_the_membership_they_work_as(administrator):
    own = administrator.active_membership
    with pytest.raises(ValidationError) as refused:
        services.membership_revoke(own, acting_user=administrator)
    assert refused.value.message_dict == {"is_active": [services.MSG_MEMBERSHIP_OWN_REVOKE]}
    assert stored(own)[2] is True
    assert not events("organisations.membership_revoke").exists()
