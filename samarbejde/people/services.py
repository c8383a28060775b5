"""Writes about persons: each is one business event with its audit event in one transaction."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from samarbejde.audit.services import audit_record, audit_record_many
from samarbejde.core.transactions import service_atomic
from samarbejde.organisations.access import active_membership, user_can
from samarbejde.organisations.models import Department, Organisation
from samarbejde.organisations.roles import Cap, OrgKind
from samarbejde.people import link_rules
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.link_rules import LinkRule
from samarbejde.people.models import (
    MSG_PENSION_UNKNOWN,
    LinkReason,
    PensionKind,
    Person,
    PersonLink,
    normalize_benefits,
)

MSG_NOT_ALLOWED = "Du må ikke registrere personer."
MSG_NOT_ALLOWED_UPDATE = "Du må ikke rette oplysninger om personer."
MSG_CPR_EXISTS = "Der findes allerede en person med dette CPR-nummer. Søg personen frem i stedet."
MSG_NOT_A_MUNICIPALITY = "Bopælskommunen skal være en af de 98 kommuner."
MSG_NAME_REQUIRED = "Skriv personens fornavn og efternavn."
MSG_LINK_CLOSED = "Henvendelsen er afsluttet. Dens udløb kan ikke ændres."
MSG_LINK_EXPIRY_REQUIRED = "Vælg en udløbsdato. En henvendelse kan ikke gøres tidsubegrænset her."
MSG_LINK_EXPIRY_PAST = "Udløbsdatoen skal ligge i fremtiden."
MSG_NEED_ACCESS_NOT_ALLOWED = "Din rolle kan ikke få adgang til klienter uden for din enhed."
NEED_ACCESS_MIN_REASON = 10
MSG_NEED_ACCESS_REASON = (
    f"Skriv hvorfor du har brug for adgang (mindst {NEED_ACCESS_MIN_REASON} tegn). "
    "Begrundelsen logges og ses af databeskyttelsesrådgiveren."
)
MSG_NEED_ACCESS_REASON_LONG = "Begrundelsen må højst være 1000 tegn."
MSG_NEED_ACCESS_HOURS = "Vælg en af de tilladte varigheder."

# Registering and correcting persons: KRFO's case roles in the application, administrators in the admin.
MAINTAIN_CAPABILITIES = (Cap.PERSON_REGISTER, Cap.PERSON_MAINTAIN)


def _may_maintain(acting_user) -> bool:
    return any(user_can(acting_user, capability) for capability in MAINTAIN_CAPABILITIES)


def _clean_cpr(cpr: str) -> str:
    try:
        return normalize_cpr(cpr)
    except ValidationError as exc:
        raise ValidationError({"cpr": exc.messages}, code="cpr") from None


def _clean_home_municipality(home_municipality: Organisation | None) -> None:
    if home_municipality is not None and (
        home_municipality.kind != OrgKind.MUNICIPALITY or not home_municipality.is_active
    ):
        raise ValidationError({"home_municipality": MSG_NOT_A_MUNICIPALITY}, code="not_a_municipality")


def _clean_situation(home_municipality: Organisation | None, pension: str, benefits) -> tuple[str, list[str]]:
    _clean_home_municipality(home_municipality)
    if pension not in PensionKind.values:
        raise ValidationError({"pension": MSG_PENSION_UNKNOWN}, code="pension_unknown")
    try:
        return pension, normalize_benefits(benefits)
    except ValidationError as exc:
        raise ValidationError({"benefits": exc.messages}, code="benefits") from None


@service_atomic
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
    if not _may_maintain(acting_user):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    cpr = _clean_cpr(cpr)
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
def person_update(
    person: Person,
    *,
    cpr: str,
    first_name: str,
    last_name: str,
    address: str,
    home_municipality: Organisation | None,
    acting_user,
    purpose: str = "Rettelse af personoplysninger",
) -> Person:
    """Correct a person's CPR number, name, address and home municipality (the admin's edit).

    The same guards as person_register: CPR normalised and unique, both names, the home municipality an
    active municipality (None = unknown). Audited `people.update` with the names of the changed fields only
    (never their values); an edit that changes nothing writes nothing.
    """
    if not _may_maintain(acting_user):
        raise PermissionDenied(MSG_NOT_ALLOWED_UPDATE)
    cpr = _clean_cpr(cpr)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    names = {"first_name": first_name, "last_name": last_name}
    missing = {name: MSG_NAME_REQUIRED for name, value in names.items() if not value}
    if missing:
        raise ValidationError(missing, code="name_required")
    _clean_home_municipality(home_municipality)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if Person.objects.filter(cpr=cpr).exclude(pk=locked.pk).exists():
        raise ValidationError({"cpr": MSG_CPR_EXISTS}, code="cpr_exists")
    new = {
        "cpr": cpr,
        "first_name": first_name,
        "last_name": last_name,
        "address": (address or "").strip(),
        "home_municipality_id": home_municipality.pk if home_municipality else None,
    }
    changed = sorted(name.removesuffix("_id") for name, value in new.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    for name, value in new.items():
        setattr(locked, name, value)
    # Field limits (lengths) in Danish before the database sees them; uniqueness was checked above.
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        "people.update",
        acting_user=acting_user,
        person=locked,
        obj=locked,
        purpose=purpose,
        details={"fields": changed},
    )
    return locked


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
    (link,) = person_links_open(
        person,
        [LinkOpening(organisation=organisation, reason=reason, source=source, expires_at=expires_at, **unit)],
        acting_user=acting_user,
    )
    return link


@dataclass(frozen=True)
class LinkOpening:
    """One live link to open: for whom (`organisation`, its unit by `department` or `department_id`), why
    (`reason`, `source`) and until when (`expires_at`, None = until closed)."""

    organisation: Organisation
    reason: str
    source: object = None
    department: Department | None = None
    department_id: object = None
    expires_at: object = None


# No savepoint of its own: inside a service's transaction a failure here fails that service's event as a whole.
@transaction.atomic(savepoint=False)
def person_links_open(person: Person, openings, *, acting_user) -> list[PersonLink]:
    """Open several live links for one person in one event: the rows and their audit events in two statements."""
    openings = list(openings)
    links = PersonLink.objects.bulk_create(
        [
            PersonLink(
                person=person,
                organisation=opening.organisation,
                **(
                    {"department": opening.department}
                    if opening.department is not None
                    else {"department_id": opening.department_id}
                ),
                reason=opening.reason,
                source_type=ContentType.objects.get_for_model(opening.source) if opening.source is not None else None,
                source_id=opening.source.pk if opening.source is not None else None,
                expires_at=opening.expires_at,
            )
            for opening in openings
        ]
    )
    audit_record_many(
        [
            {
                "action": "people.link_open",
                "person": person,
                "obj": link,
                "purpose": f"{link.get_reason_display()} til {opening.organisation.display_name}",
            }
            for link, opening in zip(links, openings, strict=True)
        ],
        acting_user=acting_user,
    )
    return links


@transaction.atomic
def person_link_close(
    link: PersonLink, *, acting_user, purpose: str = "", rule: LinkRule = link_rules.BY_HAND
) -> PersonLink:
    """End a live link by `rule` (stored on the link, named in the audit event); closing twice is harmless.
    Decided on the stored row (locked), not on `link` as passed."""
    locked = PersonLink.objects.select_for_update().select_related("person").get(pk=link.pk)
    if locked.closed_at is None:
        locked.closed_at = timezone.now()
        locked.close_rule = rule.id
        locked.save(update_fields=["closed_at", "close_rule", "updated_at"])
        audit_record(
            "people.link_close",
            acting_user=acting_user,
            person=locked.person,
            obj=locked,
            purpose=purpose or rule.summary,
            details={"rule": rule.id},
        )
    link.closed_at, link.close_rule = locked.closed_at, locked.close_rule
    return locked


def _utc_iso(moment) -> str:
    return moment.astimezone(UTC).isoformat()


@transaction.atomic
def person_link_extend(link: PersonLink, *, expires_at, acting_user, purpose: str = "") -> PersonLink:
    """Change when a live or expired link ends (later or earlier), audited `people.link_extend`.

    Refused in Danish: a closed link, no date (a link is not made open-ended here) and a date that is not
    in the future. The same date again writes nothing.
    """
    if expires_at is None:
        raise ValidationError({"expires_at": MSG_LINK_EXPIRY_REQUIRED}, code="expiry_required")
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": MSG_LINK_EXPIRY_PAST}, code="expiry_past")
    locked = PersonLink.objects.select_for_update().select_related("person").get(pk=link.pk)
    if locked.closed_at is not None:
        raise ValidationError({"expires_at": MSG_LINK_CLOSED}, code="link_closed")
    if locked.expires_at == expires_at:
        return locked
    previous = locked.expires_at
    locked.expires_at = expires_at
    locked.save(update_fields=["expires_at", "updated_at"])
    audit_record(
        "people.link_extend",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=purpose,
        details={"expires_at": _utc_iso(expires_at), "previous_expires_at": _utc_iso(previous) if previous else None},
    )
    return locked


def _links_of_source(source, **filters) -> QuerySet[PersonLink]:
    return PersonLink.objects.select_related("person", "organisation").filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk, closed_at__isnull=True, **filters
    )


@transaction.atomic
def person_links_close_for_organisation(
    person: Person, *, organisation: Organisation, acting_user, purpose: str = "", rule: LinkRule = link_rules.BY_HAND
) -> int:
    """End every live link `organisation` has to `person` (e.g. an administrator ends a municipality's access):
    none of its notices, cases or grants about the person show any more. Each closing is audited."""
    links = list(PersonLink.objects.live().filter(person=person, organisation=organisation))
    for link in links:
        person_link_close(link, acting_user=acting_user, purpose=purpose, rule=rule)
    return len(links)


@transaction.atomic
def person_links_close_for_source(source, *, acting_user, rule: LinkRule = link_rules.BY_HAND) -> int:
    """End the live links that `source` opened (e.g. a withdrawn notice) by `rule`: its organisation loses
    that reason to see the person (other live links of the organisation, from other records, stay)."""
    links = list(_links_of_source(source))
    for link in links:
        person_link_close(link, acting_user=acting_user, rule=rule)
    return len(links)


@dataclass(frozen=True)
class LinkEnd:
    """The links `source` opened for `organisation_id` run out at `at`, by `rule` (unless they end sooner)."""

    source: object
    organisation_id: object
    at: object
    rule: LinkRule


# No savepoint of its own, like person_links_open: part of the calling service's event.
@transaction.atomic(savepoint=False)
def person_links_end(ends, *, acting_user) -> int:
    """Set the expiry of the live links several sources opened (one select, one update, one audit insert):
    e.g. a transferred inmate's old institution keeps reading the episode for a while, a released person's
    notices stay readable for a while. Only ever shortens an expiry. Audited `people.link_expire` with the
    person and the rule; the sweep (person_links_close_expired) closes them when the time comes."""
    ends = list(ends)
    if not ends:
        return 0
    wanted = {}
    by_type = {}
    for end in ends:
        source_type = ContentType.objects.get_for_model(end.source)
        by_type.setdefault(source_type.pk, set()).add(end.source.pk)
        wanted[(source_type.pk, end.source.pk, end.organisation_id)] = end
    query = Q()
    for type_id, ids in by_type.items():
        query |= Q(source_type_id=type_id, source_id__in=ids)
    links = []
    for link in PersonLink.objects.filter(query, closed_at__isnull=True):
        end = wanted.get((link.source_type_id, link.source_id, link.organisation_id))
        if end is None or (link.expires_at is not None and link.expires_at <= end.at):
            continue
        link.expires_at = end.at
        link.close_rule = end.rule.id  # the rule that set the expiry; the sweep keeps it
        link.updated_at = timezone.now()
        links.append((link, end))
    PersonLink.objects.bulk_update([link for link, _ in links], ["expires_at", "close_rule", "updated_at"])
    audit_record_many(
        [
            {
                "action": "people.link_expire",
                "person_id": link.person_id,
                "obj": link,
                "purpose": end.rule.summary,
                "details": {"rule": end.rule.id, "expires_at": _utc_iso(end.at)},
            }
            for link, end in links
        ],
        acting_user=acting_user,
    )
    return len(links)


def person_links_end_for_source(source, *, organisation: Organisation, at, rule: LinkRule, acting_user) -> int:
    """The links `source` opened for `organisation` run out at `at` (see person_links_end)."""
    return person_links_end([LinkEnd(source, organisation.pk, at, rule)], acting_user=acting_user)


_EXPIRY_RULES = {LinkReason.NEED_ACCESS: link_rules.NEED_ACCESS_ENDED, LinkReason.CUSTODY: link_rules.CUSTODY_MOVED_ON}


@transaction.atomic
def person_links_close_expired(*, now=None, limit: int = 5000) -> Counter:
    """One batch of the sweep: close the links whose expiry has passed (at their expiry time), each audited with
    the person and the rule that set the expiry. Returns how many per rule id."""
    now = now or timezone.now()
    links = list(
        PersonLink.objects.select_for_update(skip_locked=True)
        .filter(closed_at__isnull=True, expires_at__lte=now)
        .order_by("expires_at")[:limit]
    )
    closed = Counter()
    records = []
    for link in links:
        rule = link_rules.BY_ID.get(link.close_rule) or _EXPIRY_RULES.get(link.reason, link_rules.EXPIRED)
        link.closed_at, link.close_rule, link.updated_at = link.expires_at, rule.id, now
        closed[rule.id] += 1
        records.append(
            {
                "action": "people.link_close",
                "person_id": link.person_id,
                "obj": link,
                "purpose": rule.summary,
                "details": {"rule": rule.id},
            }
        )
    PersonLink.objects.bulk_update(links, ["closed_at", "close_rule", "updated_at"])
    audit_record_many(records, acting_user=None)
    return closed


SWEEP_BATCH = 5000


def person_links_close_all_expired(*, now=None) -> Counter:
    """The sweep: person_links_close_expired in batches (one transaction each) until none is left; the count
    per rule id (the periodic task logs it, `manage.py close_expired_links` prints it)."""
    total = Counter()
    while True:
        closed = person_links_close_expired(now=now, limit=SWEEP_BATCH)
        total.update(closed)
        if sum(closed.values()) < SWEEP_BATCH:
            return total


@transaction.atomic
def person_access_grant(person: Person, *, justification: str, hours: int, acting_user) -> PersonLink:
    """ "Need access": one KRFO user sees a person outside their unit's scope for `hours`, with a reason.
    Refused in Danish without a reason or with a length that is not allowed. Audited `people.need_access`
    (with the reason) and listed for the data-protection officer (people.selectors.access_grants)."""
    membership = active_membership(acting_user)
    if membership is None or not membership.can(Cap.NEED_ACCESS):
        raise PermissionDenied(MSG_NEED_ACCESS_NOT_ALLOWED)
    justification = " ".join((justification or "").split())
    if len(justification) < NEED_ACCESS_MIN_REASON:
        raise ValidationError({"justification": MSG_NEED_ACCESS_REASON}, code="reason_required")
    if len(justification) > 1000:
        raise ValidationError({"justification": MSG_NEED_ACCESS_REASON_LONG}, code="reason_too_long")
    if hours not in link_rules.need_access_hours_allowed():
        raise ValidationError({"hours": MSG_NEED_ACCESS_HOURS}, code="hours")
    now = timezone.now()
    link = PersonLink.objects.create(
        person=person,
        organisation=membership.organisation,
        reason=LinkReason.NEED_ACCESS,
        granted_to=acting_user,
        justification=justification,
        opened_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    audit_record(
        "people.need_access",
        acting_user=acting_user,
        person=person,
        obj=link,
        purpose=f"Begrundet adgang i {hours} timer: {justification}",
        details={"hours": hours},
    )
    return link
