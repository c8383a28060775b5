"""Persons and audit events for the audit and admin tests.

Users per role come from samarbejde.organisations.tests.factories (`UserFactory`, `user_with_role`).
Reference data (organisations) is in the test database already; organisations are looked up by code.
Persons and events are written straight to the database (no service, no audit of the setup itself).
"""

from datetime import datetime

import factory
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.core.context import get_correlation_id
from samarbejde.organisations.tests.factories import organisation
from samarbejde.people.models import Person


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
