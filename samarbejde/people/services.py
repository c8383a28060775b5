"""Writes about persons: each is one business event with its audit event in one transaction."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.organisations.access import user_can
from samarbejde.organisations.models import Department, Organisation
from samarbejde.organisations.roles import Cap, OrgKind
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import MSG_PENSION_UNKNOWN, PensionKind, Person, PersonLink, normalize_benefits

MSG_NOT_ALLOWED = "Du må ikke registrere personer."
MSG_CPR_EXISTS = "Der findes allerede en person med dette CPR-nummer. Søg personen frem i stedet."
MSG_NOT_A_MUNICIPALITY = "Bopælskommunen skal være en af de 98 kommuner."
MSG_NAME_REQUIRED = "Skriv personens fornavn og efternavn."


def _clean_situation(home_municipality: Organisation | None, pension: str, benefits) -> tuple[str, list[str]]:
    if home_municipality is not None and (
        home_municipality.kind != OrgKind.MUNICIPALITY or not home_municipality.is_active
    ):
        raise ValidationError({"home_municipality": MSG_NOT_A_MUNICIPALITY}, code="not_a_municipality")
    if pension not in PensionKind.values:
        raise ValidationError({"pension": MSG_PENSION_UNKNOWN}, code="pension_unknown")
    try:
        return pension, normalize_benefits(benefits)
    except ValidationError as exc:
        raise ValidationError({"benefits": exc.messages}, code="benefits") from None


@transaction.atomic
def person_register(
    *,
    cpr: str,
    first_name: str,
    last_name: str,
    address: str = "",
    home_municipality: Organisation | None = None,
    pension: str = PensionKind.NONE,
    benefits: list[str] | None = None,
    acting_user,
    purpose: str = "Registrering af klient",
) -> Person:
    """Register a person. Bad input raises ValidationError (a dict keyed by field) with Danish messages."""
    if not user_can(acting_user, Cap.PERSON_REGISTER):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    try:
        cpr = normalize_cpr(cpr)
    except ValidationError as exc:
        raise ValidationError({"cpr": exc.messages}, code="cpr") from None
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name or not last_name:
        raise ValidationError({"first_name": MSG_NAME_REQUIRED}, code="name_required")
    pension, benefits = _clean_situation(home_municipality, pension, benefits)
    if Person.objects.filter(cpr=cpr).exists():
        raise ValidationError({"cpr": MSG_CPR_EXISTS}, code="cpr_exists")
    person = Person.objects.create(
        cpr=cpr,
        first_name=first_name,
        last_name=last_name,
        address=(address or "").strip(),
        home_municipality=home_municipality,
        pension=pension,
        benefits=benefits,
    )
    audit_record("people.create", acting_user=acting_user, person=person, obj=person, purpose=purpose)
    return person


@transaction.atomic
def person_update_situation(
    person: Person,
    *,
    home_municipality: Organisation | None,
    pension: str,
    benefits: list[str],
    address: str | None = None,
    acting_user,
    purpose: str = "Opdatering af klientens forhold ved indsættelse",
) -> Person:
    """Record the person's home municipality, pension and benefits (e.g. on the admission form).

    Audited with the names of the changed fields only (never their values).
    """
    if not user_can(acting_user, Cap.PERSON_REGISTER):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    pension, benefits = _clean_situation(home_municipality, pension, benefits)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    new = {"home_municipality_id": home_municipality.pk if home_municipality else None, "pension": pension}
    new["benefits"] = benefits
    if address is not None:
        new["address"] = address.strip()
    changed = [name for name, value in new.items() if getattr(locked, name) != value]
    if changed:
        for name, value in new.items():
            setattr(locked, name, value)
        locked.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated_at"])
        audit_record(
            "people.update",
            acting_user=acting_user,
            person=locked,
            obj=locked,
            purpose=purpose,
            details={"fields": [name.removesuffix("_id") for name in changed]},
        )
    return locked


@transaction.atomic
def person_link_open(
    person: Person,
    *,
    organisation: Organisation,
    reason: str,
    source=None,
    department: Department | None = None,
    department_id=None,
    expires_at=None,
    acting_user,
) -> PersonLink:
    """Give `organisation` a live reason to see `person` (called by the flow that addresses it).

    The unit that handles it is `department` (or its id, `department_id`, to spare a query)."""
    unit = {"department": department} if department is not None else {"department_id": department_id}
    link = PersonLink.objects.create(
        person=person,
        organisation=organisation,
        **unit,
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


@transaction.atomic
def person_links_close_for_source(source, *, acting_user) -> int:
    """End the live links that `source` opened (e.g. a withdrawn notice): its organisation loses that reason
    to see the person (other live links of the organisation, from other records, stay). Returns how many."""
    links = list(
        PersonLink.objects.select_related("person", "organisation").filter(
            source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk), closed_at__isnull=True
        )
    )
    for link in links:
        person_link_close(link, acting_user=acting_user)
    return len(links)
