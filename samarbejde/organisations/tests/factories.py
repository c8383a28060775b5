"""Shared factories for users, memberships, directory contacts and change requests.

This is the one home of `UserFactory`, the role -> organisation map and `user_with_role` for every app's tests
(accounts and audit import them from here).

Reference data (municipalities, KRFO units) is already in the test database (root conftest.py), so
organisations are looked up by code, never created. Usage:

    coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")   # active_membership is set
    contact = ContactFactory(organisation=municipality("101"))
    request = ChangeRequestFactory(contact=contact, proposed_by=coordinator, unit_name="Nyt navn")
"""

import factory
from django.contrib.auth import get_user_model

from samarbejde.organisations.models import (
    ChangeRequestStatus,
    Contact,
    ContactChangeRequest,
    ContactFunction,
    Membership,
    Organisation,
)
from samarbejde.organisations.roles import Role
from samarbejde.organisations.services import membership_grant

TEST_PASSWORD = "Test-adgangskode-2026"

# One organisation per role where the role may be held (the same ones as the demo users).
DEFAULT_ORGANISATION_FOR_ROLE: dict[str, str] = {
    Role.KRFO_CASE_WORKER: "krfo-koebenhavns-faengsler",
    Role.KRFO_MANAGER: "krfo-storstroem",
    Role.PROBATION_OFFICER: "krfo-kif-hovedstaden",
    Role.YOUTH_SUPERVISOR: "krfo-ungekriminalforsorgen",
    Role.MUNICIPAL_CASE_WORKER: "101",
    Role.MUNICIPAL_COORDINATOR: "101",
    Role.POLICE_OFFICER: "1470",
    Role.UDK_OFFICER: "udbetaling-danmark",
    Role.ADMINISTRATOR: "krfo-direktoratet",
}
ROLE_ORGANISATION = DEFAULT_ORGANISATION_FOR_ROLE  # the name other modules import


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def municipality(code: str = "101") -> Organisation:
    return Organisation.objects.get(code=code, kind="municipality")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.django.Password(TEST_PASSWORD)


def grant(user, role: str, code: str | None = None, *, department=None) -> Membership:
    """Give `user` a membership (through the service, so it is validated and audited) and make it current."""
    membership = membership_grant(
        user, organisation=organisation(code or DEFAULT_ORGANISATION_FOR_ROLE[role]), role=role, department=department
    )
    user.active_membership = membership
    return membership


def user_with_role(role: str, code: str | None = None, **user_fields):
    """A new user with one membership in `code` (default: a typical organisation for the role)."""
    user = UserFactory(**user_fields)
    grant(user, role, code)
    return user


def _organisation_of(user) -> Organisation | None:
    membership = getattr(user, "active_membership", None) or Membership.objects.filter(user=user).first()
    return membership.organisation if membership else None


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.LazyFunction(lambda: municipality("101"))
    function = ContactFunction.MAIN
    unit_name = factory.Sequence(lambda n: f"Enhed {n}")
    person_name = ""
    address = "Rådhuspladsen 1, 1550 København V"
    secure_mailbox = factory.Sequence(lambda n: f"enhed{n}@kommune.invalid")
    phone = "33 66 33 66"
    opening_hours = "Man-fre 9-15"
    notes = ""


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A pending proposal written straight to the database (no service, no audit): for list/read tests.

    Fields default to the contact's current values (or a new unit's); pass the ones to change.
    """

    class Meta:
        model = ContactChangeRequest

    contact = factory.SubFactory(ContactFactory)
    organisation = factory.LazyAttribute(lambda cr: cr.contact.organisation if cr.contact else municipality("101"))
    function = factory.LazyAttribute(lambda cr: cr.contact.function if cr.contact else ContactFunction.MAIN)
    unit_name = factory.LazyAttribute(lambda cr: f"{cr.contact.unit_name} (ændret)" if cr.contact else "Ny enhed")
    person_name = factory.LazyAttribute(lambda cr: cr.contact.person_name if cr.contact else "")
    address = factory.LazyAttribute(lambda cr: cr.contact.address if cr.contact else "")
    secure_mailbox = factory.LazyAttribute(lambda cr: cr.contact.secure_mailbox if cr.contact else "")
    phone = factory.LazyAttribute(lambda cr: cr.contact.phone if cr.contact else "")
    opening_hours = factory.LazyAttribute(lambda cr: cr.contact.opening_hours if cr.contact else "")
    notes = factory.LazyAttribute(lambda cr: cr.contact.notes if cr.contact else "")
    message = "Kontakten er flyttet."
    status = ChangeRequestStatus.PENDING
    proposed_by = factory.LazyFunction(lambda: user_with_role(Role.MUNICIPAL_COORDINATOR, "101"))
    proposed_by_organisation = factory.LazyAttribute(lambda cr: _organisation_of(cr.proposed_by) or cr.organisation)
    before = factory.LazyAttribute(lambda cr: cr.contact.snapshot() if cr.contact else None)
