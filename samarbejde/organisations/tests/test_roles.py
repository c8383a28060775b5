"""Role capabilities as data: every role is defined, placed and limited."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from samarbejde.organisations.models import Membership, Organisation
from samarbejde.organisations.roles import CAPABILITIES, ROLE_ORG_KINDS, Cap, OrgKind, Role, capabilities_of


def test_every_role_has_capabilities_and_allowed_organisation_kinds():
    assert set(CAPABILITIES) == set(Role.values)
    assert set(ROLE_ORG_KINDS) == set(Role.values)
    for role in Role.values:
        assert Cap.START_PAGE in CAPABILITIES[role]


def test_unknown_role_has_no_capabilities():
    assert capabilities_of("nobody") == frozenset()
    assert capabilities_of(None) == frozenset()


@pytest.mark.parametrize(
    ("capability", "roles"),
    [
        (Cap.DIRECTORY_REVIEW, {Role.ADMINISTRATOR}),
        (Cap.AUDIT_SEARCH, {Role.ADMINISTRATOR}),
        (Cap.ADMIN_SITE, {Role.ADMINISTRATOR}),
        (Cap.DIRECTORY_PROPOSE_OWN, {Role.MUNICIPAL_COORDINATOR}),
        (
            Cap.DIRECTORY_PROPOSE_ANY,
            {
                Role.KRFO_CASE_WORKER,
                Role.KRFO_MANAGER,
                Role.PROBATION_OFFICER,
                Role.YOUTH_SUPERVISOR,
                Role.ADMINISTRATOR,
            },
        ),
        (
            Cap.PERSON_VIEW_ALL,
            {Role.KRFO_CASE_WORKER, Role.KRFO_MANAGER, Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR},
        ),
        (
            Cap.PERSON_VIEW_LINKED,
            {Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.POLICE_OFFICER, Role.UDK_OFFICER},
        ),
    ],
)
def test_capability_holders(capability, roles):
    assert {role for role in Role.values if capability in CAPABILITIES[role]} == roles


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "code", "valid"),
    [
        (Role.MUNICIPAL_CASE_WORKER, "101", True),
        (Role.MUNICIPAL_CASE_WORKER, "krfo-storstroem", False),
        (Role.KRFO_CASE_WORKER, "101", False),
        (Role.ADMINISTRATOR, "krfo-direktoratet", True),
        (Role.ADMINISTRATOR, "101", False),
        (Role.POLICE_OFFICER, "1470", True),
        (Role.UDK_OFFICER, "udbetaling-danmark", True),
        (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", True),
        (Role.PROBATION_OFFICER, "krfo-storstroem", False),
    ],
)
def test_membership_role_must_fit_the_organisation_kind(role, code, valid):
    user = get_user_model().objects.create_user(username="u", password="x" * 16)
    membership = Membership(user=user, organisation=Organisation.objects.get(code=code), role=role)
    if valid:
        membership.full_clean()
    else:
        with pytest.raises(ValidationError):
            membership.full_clean()


@pytest.mark.django_db
def test_inactive_membership_grants_nothing():
    user = get_user_model().objects.create_user(username="u", password="x" * 16)
    membership = Membership.objects.create(
        user=user, organisation=Organisation.objects.get(code="krfo-direktoratet"), role=Role.ADMINISTRATOR
    )
    assert membership.can(Cap.AUDIT_SEARCH)
    membership.is_active = False
    assert not membership.can(Cap.AUDIT_SEARCH)


def test_krfo_kinds_are_the_four_krfo_organisation_types():
    from samarbejde.organisations.roles import KRFO_KINDS

    assert {
        OrgKind.KRFO_INSTITUTION,
        OrgKind.PROBATION_OFFICE,
        OrgKind.YOUTH_UNIT,
        OrgKind.KRFO_CENTRAL,
    } == KRFO_KINDS
