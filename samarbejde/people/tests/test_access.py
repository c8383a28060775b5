"""Relationship scoping: who may see a person, table-driven over every role."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.services import membership_grant
from samarbejde.people.access import access_person_by_id, persons_visible_to
from samarbejde.people.models import LinkReason, Person, PersonLink
from samarbejde.people.services import person_link_close, person_link_open, person_register

pytestmark = pytest.mark.django_db

# (role, organisation code): one membership per row; the expectation is whether the person is visible.
# KRFO too sees a person only through a live link (ADR 0008): København's prison holds the person.
CASES = [
    (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", True),  # custody link: holds the person
    (Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler", True),  # a leader sees their own area
    (Role.KRFO_CASE_WORKER, "krfo-storstroem", False),  # another prison
    (Role.KRFO_MANAGER, "krfo-storstroem", False),
    (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", False),  # KiF: no client link
    (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", False),  # the youth unit: not a youth case
    (Role.MUNICIPAL_CASE_WORKER, "101", True),  # live link to København
    (Role.MUNICIPAL_COORDINATOR, "101", True),
    (Role.MUNICIPAL_CASE_WORKER, "751", False),  # Aarhus: no link
    (Role.MUNICIPAL_COORDINATOR, "751", False),
    (Role.POLICE_OFFICER, "1470", False),  # link closed
    (Role.UDK_OFFICER, "udbetaling-danmark", False),  # link expired
    (Role.ADMINISTRATOR, "krfo-direktoratet", False),  # administrators never see case data
]


def make_user(role: str, code: str, username: str | None = None):
    user = get_user_model().objects.create_user(username=username or f"{role}-{code}", password="x" * 16)
    membership = membership_grant(user, organisation=Organisation.objects.get(code=code), role=role)
    user.active_membership = membership
    return user


@pytest.fixture
def person():
    registrar = make_user(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", "registrar")
    person = person_register(
        cpr="010190-1234",
        first_name="Test",
        last_name="Person",
        home_municipality=Organisation.objects.get(code="101"),
        acting_user=registrar,
    )
    person_link_open(
        person, organisation=Organisation.objects.get(code="101"), reason=LinkReason.NOTIFICATION, acting_user=registrar
    )
    person_link_open(
        person,
        organisation=Organisation.objects.get(code="krfo-koebenhavns-faengsler"),
        reason=LinkReason.CUSTODY,
        acting_user=registrar,
    )
    closed = person_link_open(
        person, organisation=Organisation.objects.get(code="1470"), reason=LinkReason.CASE, acting_user=registrar
    )
    person_link_close(closed, acting_user=registrar)
    person_link_open(
        person,
        organisation=Organisation.objects.get(code="udbetaling-danmark"),
        reason=LinkReason.NOTIFICATION,
        expires_at=timezone.now() - timedelta(days=1),
        acting_user=registrar,
    )
    return person


@pytest.mark.parametrize(("role", "code", "visible"), CASES, ids=[f"{r}-{c}" for r, c, _ in CASES])
def test_person_visibility_per_role(person, role, code, visible):
    user = make_user(role, code)
    assert (person in persons_visible_to(user)) is visible
    if visible:
        assert access_person_by_id(user, person.pk) == person
    else:
        with pytest.raises(Http404):
            access_person_by_id(user, person.pk)


def test_every_role_is_covered_by_the_table():
    assert {role for role, _, _ in CASES} == set(Role.values)


@pytest.mark.parametrize("role_code", CASES[:1] + CASES[6:7], ids=["krfo", "municipality"])
def test_missing_and_forbidden_give_the_same_404(person, role_code):
    role, code, _ = role_code
    user = make_user(role, code)
    for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(Http404):
            access_person_by_id(user, bad)


def test_anonymous_and_membershipless_users_see_no_one(person):
    from django.contrib.auth.models import AnonymousUser

    assert not persons_visible_to(AnonymousUser()).exists()
    lonely = get_user_model().objects.create_user(username="lonely", password="x" * 16)
    lonely.active_membership = None
    assert not persons_visible_to(lonely).exists()


def test_visibility_is_per_current_membership_not_per_user(person):
    """A user who works for København and Aarhus sees the person only while working as København."""
    user = make_user(Role.MUNICIPAL_CASE_WORKER, "751", "two-jobs")
    kbh = membership_grant(user, organisation=Organisation.objects.get(code="101"), role=Role.MUNICIPAL_CASE_WORKER)
    assert person not in persons_visible_to(user)
    user.active_membership = kbh
    assert person in persons_visible_to(user)


def test_closing_a_link_ends_visibility_and_is_audited(person):
    user = make_user(Role.MUNICIPAL_CASE_WORKER, "101")
    link = PersonLink.objects.get(person=person, organisation__code="101")
    assert person in persons_visible_to(user)
    person_link_close(link, acting_user=user)
    person_link_close(link, acting_user=user)  # twice is harmless
    assert person not in persons_visible_to(user)
    assert AuditEvent.objects.filter(action="people.link_close", person=person, object_id=str(link.pk)).count() == 1


def test_register_requires_capability_and_is_audited():
    from django.core.exceptions import PermissionDenied

    municipal = make_user(Role.MUNICIPAL_CASE_WORKER, "101")
    with pytest.raises(PermissionDenied):
        person_register(cpr="0101901234", first_name="A", last_name="B", acting_user=municipal)
    assert not Person.objects.exists()
    krfo = make_user(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    person = person_register(cpr="0101901234", first_name="A", last_name="B", acting_user=krfo)
    event = AuditEvent.objects.get(action="people.create")
    assert event.person == person and event.actor == krfo
    assert event.organisation.code == "krfo-koebenhavns-faengsler"


def test_need_access_is_one_users_time_boxed_justified_and_audited(person):
    """ "Need access": a KiF officer without a link asks, with a reason and a length, and sees the person, alone
    and only for that time; the grant is audited with the reason and listed for the DPO."""
    import time_machine
    from django.core.exceptions import PermissionDenied, ValidationError

    from samarbejde.people.selectors import access_grants
    from samarbejde.people.services import person_access_grant, person_links_close_expired

    officer = make_user(Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", "officer")
    colleague = make_user(Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", "colleague")
    assert person not in persons_visible_to(officer)
    for reason, hours in (("", 4), ("kort", 4), ("x" * 1001, 4), ("Tilsyn skal planlægges", 5)):
        with pytest.raises(ValidationError):
            person_access_grant(person, justification=reason, hours=hours, acting_user=officer)
    assert not PersonLink.objects.filter(reason=LinkReason.NEED_ACCESS).exists()
    with pytest.raises(PermissionDenied):
        person_access_grant(
            person, justification="Jeg vil bare se", hours=4, acting_user=make_user(Role.MUNICIPAL_CASE_WORKER, "751")
        )
    grant = person_access_grant(person, justification="Tilsyn skal planlægges", hours=4, acting_user=officer)
    assert person in persons_visible_to(officer) and person not in persons_visible_to(colleague)
    event = AuditEvent.objects.get(action="people.need_access")
    assert event.person == person and "Tilsyn skal planlægges" in event.purpose and event.actor == officer
    admin = make_user(Role.ADMINISTRATOR, "krfo-direktoratet")
    assert [g.pk for g in access_grants(admin)] == [grant.pk]
    with pytest.raises(PermissionDenied):
        access_grants(officer)
    with time_machine.travel(timezone.now() + timedelta(hours=4, minutes=1)):
        assert person not in persons_visible_to(officer)
        assert person_links_close_expired()["need_access.ended"] == 1
    grant.refresh_from_db()
    assert grant.closed_at is not None and grant.close_rule == "need_access.ended"
    assert AuditEvent.objects.filter(action="people.link_close", person=person, object_id=str(grant.pk)).exists()
