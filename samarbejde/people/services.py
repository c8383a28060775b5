"""Writes about persons: each is one business event with its audit event in one transaction."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.organisations.access import user_can
from samarbejde.organisations.models import Department, Organisation
from samarbejde.organisations.roles import Cap
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Person, PersonLink


@transaction.atomic
def person_register(
    *,
    cpr: str,
    first_name: str,
    last_name: str,
    address: str = "",
    home_municipality: Organisation | None = None,
    acting_user,
    purpose: str = "Registrering af klient",
) -> Person:
    if not user_can(acting_user, Cap.PERSON_REGISTER):
        raise PermissionDenied("Du må ikke registrere personer.")
    person = Person.objects.create(
        cpr=normalize_cpr(cpr),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        address=address.strip(),
        home_municipality=home_municipality,
    )
    audit_record("people.create", acting_user=acting_user, person=person, obj=person, purpose=purpose)
    return person


@transaction.atomic
def person_link_open(
    person: Person,
    *,
    organisation: Organisation,
    reason: str,
    source=None,
    department: Department | None = None,
    expires_at=None,
    acting_user,
) -> PersonLink:
    """Give `organisation` a live reason to see `person` (called by the flow that addresses it)."""
    link = PersonLink.objects.create(
        person=person,
        organisation=organisation,
        department=department,
        reason=reason,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=str(source.pk) if source is not None else "",
        expires_at=expires_at,
    )
    audit_record(
        "people.link_open",
        acting_user=acting_user,
        person=person,
        obj=link,
        purpose=f"{link.get_reason_display()} til {organisation.display_name}",
    )
    return link


@transaction.atomic
def person_link_close(link: PersonLink, *, acting_user) -> PersonLink:
    """End a live link; closing twice is harmless."""
    if link.closed_at is None:
        link.closed_at = timezone.now()
        link.save(update_fields=["closed_at", "updated_at"])
        audit_record("people.link_close", acting_user=acting_user, person=link.person, obj=link)
    return link
