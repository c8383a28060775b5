"""Users per role, persons and audit events for the audit and admin tests.

Reference data (organisations) is in the test database already; organisations are looked up by code.
Persons and events are written straight to the database (no service, no audit of the setup itself).
"""

from datetime import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.core.context import get_correlation_id
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.services import membership_grant
from samarbejde.people.models import Person

PASSWORD = "Revisions-test-2026!"

# One valid organisation per role (its kind fits ROLE_ORG_KINDS).
ROLE_ORGANISATION: dict[str, str] = {
    Role.KRFO_CASE_WORKER: "krfo-koebenhavns-faengsler",
    Role.KRFO_MANAGER: "krfo-koebenhavns-faengsler",
    Role.PROBATION_OFFICER: "krfo-kif-hovedstaden",
    Role.YOUTH_SUPERVISOR: "krfo-ungekriminalforsorgen",
    Role.MUNICIPAL_CASE_WORKER: "101",
    Role.MUNICIPAL_COORDINATOR: "101",
    Role.POLICE_OFFICER: "1470",
    Role.UDK_OFFICER: "udbetaling-danmark",
    Role.ADMINISTRATOR: "krfo-direktoratet",
}


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"revision{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@test.invalid")
    password = factory.django.Password(PASSWORD)


def user_with_role(role: str, code: str | None = None, **fields):
    """A user holding `role` (through membership_grant, so it is validated); its membership is made current."""
    user = UserFactory(**fields)
    user.active_membership = membership_grant(
        user, organisation=organisation(code or ROLE_ORGANISATION[role]), role=role
    )
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    cpr = factory.Sequence(lambda n: f"0101{70 + n % 30:02d}{1000 + n:04d}")
    first_name = "Borger"
    last_name = factory.Sequence(lambda n: f"Testesen {n}")


def audit_event(
    action: str = "people.view",
    *,
    actor=None,
    person: Person | None = None,
    org_code: str | None = None,
    occurred_at: datetime | None = None,
    purpose: str = "Sagsbehandling",
    role: str = "",
) -> AuditEvent:
    """One audit event as services would write it (actor and organisation labels filled in)."""
    membership = getattr(actor, "active_membership", None) if actor is not None else None
    org = organisation(org_code) if org_code else (membership.organisation if membership else None)
    return AuditEvent.objects.create(
        occurred_at=occurred_at or timezone.now(),
        actor=actor,
        actor_label=actor.username if actor is not None else "system",
        organisation=org,
        organisation_label=org.display_name if org else "",
        role=role or (membership.role if membership else ""),
        action=action,
        person=person,
        object_type="people.person" if person else "",
        object_id=str(person.pk) if person else "",
        purpose=purpose,
        correlation_id=get_correlation_id(),
    )
