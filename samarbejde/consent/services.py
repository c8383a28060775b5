"""Writes of consents, and the one gate every disclosure that rests on consent passes through.

The contract other apps code against:

- `consent_give(person, *, recipients, categories, purpose, given_on, given_how, expires_on=None,
  signed_form=None, witness_name="", witness_role="", acting_user) -> Consent`: records a consent (KRFO users
  with Cap.CONSENT_RECORD who see the person). Given either as a signed form (a PDF upload, checked by its
  magic bytes, stored privately) or orally / in person with a witness (name and role): one of the two.
  `given_on` not in the future; `expires_on` after it (default: CONSENT_DEFAULT_VALIDITY_DAYS after it, a
  product choice), at most CONSENT_MAX_VALIDITY_DAYS after it and not already past. Bad input: ValidationError
  with a Danish message and a code, nothing saved.
- `consent_revoke(consent, *, revoked_on, reason, acting_user) -> ConsentRevocation`: the client revoked it on
  `revoked_on`; it stops covering anything at once (consent_live_for returns None from now on) and every
  organisation in its scope is told by a notice (rule consent.revoked; the consent is the thread, the
  revocation the source).
- `consent_require(person, *, recipient, category, purpose="", acting_user=None, override_reason="")`: call it
  in the disclosing service's transaction, right before the disclosure. Returns the live Consent that covers
  it; with none, a user with Cap.CONSENT_OVERRIDE (KRFO managers) who gives a reason gets a ConsentOverride
  row (returned instead; audited and listed); anyone else gets ConsentMissing (a ValidationError: Danish
  message, code "no_consent", or "override_not_allowed" when a reason was given by a user who may not
  override).
Every write is audited naming the person, in the same transaction.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.consent import access
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import Consent, ConsentOverride, ConsentRevocation, ConsentScope, GivenHow
from samarbejde.consent.selectors import consent_live_for
from samarbejde.core import dates
from samarbejde.core.transactions import service_atomic
from samarbejde.notifications import attachments
from samarbejde.notifications.events import NoticeEvent
from samarbejde.notifications.services import notices_send
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.models import Organisation

MSG_NO_CONSENT = (
    "Der er ikke et gyldigt samtykke fra borgeren, der dækker denne videregivelse. Registrér samtykket, "
    "eller videregiv på et lovgrundlag."
)
MSG_OVERRIDE_NOT_ALLOWED = (
    "Der er ikke et gyldigt samtykke fra borgeren, der dækker denne videregivelse, og kun en leder i "
    "Kriminalforsorgen kan videregive uden samtykke. Registrér samtykket, eller bed din leder om at tage stilling."
)
MSG_OVERRIDE_REASON_TOO_LONG = "Begrundelsen for at videregive uden samtykke må højst være 1000 tegn."
MSG_NOT_ALLOWED = (
    "Kun Kriminalforsorgens medarbejdere med ansvar for klienten kan registrere og tilbagekalde samtykker."
)
MSG_RECIPIENTS_REQUIRED = "Vælg mindst én myndighed, som samtykket omfatter."
MSG_RECIPIENT_UNKNOWN = "En af de valgte myndigheder findes ikke. Vælg myndighederne igen."
MSG_RECIPIENT_OWN_UNIT = "Din egen enhed skal ikke vælges: samtykket gælder udvekslingen med andre myndigheder."
MSG_CATEGORIES_REQUIRED = "Vælg mindst én slags oplysninger, som samtykket omfatter."
MSG_CATEGORY_UNKNOWN = "En af de valgte slags oplysninger findes ikke. Vælg dem igen."
MSG_PURPOSE_REQUIRED = "Skriv formålet med samtykket, fx »Koordinering af handleplan«."
MSG_PURPOSE_TOO_LONG = "Formålet må højst være 300 tegn."
MSG_GIVEN_HOW = "Vælg, hvordan samtykket er givet: underskrevet erklæring eller mundtligt med vidne."
MSG_FORM_REQUIRED = "Vedhæft den underskrevne samtykkeerklæring som PDF."
MSG_FORM_NOT_PDF = "Den underskrevne samtykkeerklæring skal være en PDF-fil."
MSG_WITNESS_REQUIRED = "Skriv navn og stilling på den, der overværede samtykket."
MSG_WITNESS_TOO_LONG = "Vidnets navn og stilling må højst være 200 tegn hver."
MSG_GIVEN_REQUIRED = "Angiv datoen, samtykket er givet."
MSG_GIVEN_IN_FUTURE = "Datoen for samtykket ligger i fremtiden. Registrér samtykket, når det er givet."
MSG_EXPIRES_BEFORE_GIVEN = "Udløbsdatoen skal ligge efter datoen, samtykket er givet."
MSG_EXPIRES_PAST = "Samtykket er allerede udløbet. Kontrollér udløbsdatoen."
MSG_EXPIRES_TOO_LATE = "Et samtykke kan højst gælde i %(days)s dage. Vælg en tidligere udløbsdato."
MSG_REVOKE_REASON_REQUIRED = "Skriv, hvorfor samtykket tilbagekaldes, fx »Borgeren har tilbagekaldt det på mødet«."
MSG_REVOKE_REASON_TOO_LONG = "Begrundelsen må højst være 1000 tegn."
MSG_REVOKED_ON_REQUIRED = "Angiv datoen, borgeren tilbagekaldte samtykket."
MSG_REVOKED_ON_FUTURE = "Datoen for tilbagekaldelsen ligger i fremtiden."
MSG_REVOKED_BEFORE_GIVEN = "Samtykket kan ikke være tilbagekaldt, før det blev givet. Kontrollér datoen."
MSG_ALREADY_REVOKED = "Samtykket er allerede tilbagekaldt."

PURPOSE_MAX = 300
TEXT_MAX = 1000
WITNESS_MAX = 200
REVOCATION_TRIGGER = "consent.revocation"

# Suggested purposes (the form offers them; any text is allowed).
PURPOSES = (
    "Koordinering af handleplan",
    "Indhentning af sagsakter",
    "Personundersøgelse (§ 808)",
)


class ConsentMissing(ValidationError):
    """Raised by consent_require: the disclosure rests on consent and no live consent covers it."""


def default_validity_days() -> int:
    # Product choice (no statutory period found): a consent runs a year unless the form says otherwise.
    return int(getattr(settings, "CONSENT_DEFAULT_VALIDITY_DAYS", 365))


def max_validity_days() -> int:
    # Product choice: a consent is renewed at least every 3 years (a plausibility bound on typing errors).
    return int(getattr(settings, "CONSENT_MAX_VALIDITY_DAYS", 3 * 365 + 1))


def default_expiry(given_on: date) -> date:
    return given_on + timedelta(days=default_validity_days())


# --- guards ---------------------------------------------------------------------------------------------


def _recorder(acting_user, person):
    """The acting user's membership, when they may record consents for `person`; else PermissionDenied."""
    if not access.may_record_consent(acting_user) or not access.sees_person(acting_user, person):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    return active_membership(acting_user)


def _clean_text(value, *, required_msg: str, required_code: str, max_len: int, long_msg: str, long_code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(required_msg, code=required_code)
    if len(value) > max_len:
        raise ValidationError(long_msg, code=long_code)
    return value


def _clean_recipients(recipients, own_unit) -> list[Organisation]:
    ids: list[uuid.UUID] = []
    for item in recipients or ():
        try:
            pk = uuid.UUID(str(getattr(item, "pk", item)))
        except (ValueError, TypeError, AttributeError):
            raise ValidationError(MSG_RECIPIENT_UNKNOWN, code="recipient_unknown") from None
        if pk not in ids:
            ids.append(pk)
    if not ids:
        raise ValidationError(MSG_RECIPIENTS_REQUIRED, code="recipients_required")
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids, is_active=True)}
    if len(found) != len(ids):
        raise ValidationError(MSG_RECIPIENT_UNKNOWN, code="recipient_unknown")
    if own_unit.pk in found:
        raise ValidationError(MSG_RECIPIENT_OWN_UNIT, code="recipient_own_unit")
    return [found[pk] for pk in ids]


def _clean_categories(categories) -> list[str]:
    values = list(dict.fromkeys(categories or ()))
    if not values:
        raise ValidationError(MSG_CATEGORIES_REQUIRED, code="categories_required")
    if any(value not in DataCategory.values for value in values):
        raise ValidationError(MSG_CATEGORY_UNKNOWN, code="category_unknown")
    return values


def _clean_dates(person, given_on, expires_on) -> tuple[date, date]:
    if not isinstance(given_on, date):
        raise ValidationError(MSG_GIVEN_REQUIRED, code="given_required")
    today = timezone.localdate()
    if given_on > today:
        raise ValidationError(MSG_GIVEN_IN_FUTURE, code="given_in_future")
    dates.check_occurred(given_on, birth=dates.birth_date_of(person.cpr))
    expires_on = expires_on or default_expiry(given_on)
    if not isinstance(expires_on, date):
        raise ValidationError(MSG_EXPIRES_BEFORE_GIVEN, code="expires_before_given")
    if expires_on <= given_on:
        raise ValidationError(MSG_EXPIRES_BEFORE_GIVEN, code="expires_before_given")
    if expires_on < today:
        raise ValidationError(MSG_EXPIRES_PAST, code="expires_past")
    if (expires_on - given_on).days > max_validity_days():
        raise ValidationError(MSG_EXPIRES_TOO_LATE, code="expires_too_late", params={"days": max_validity_days()})
    return given_on, expires_on


def _clean_form(signed_form) -> attachments.CheckedFile:
    if signed_form is None:
        raise ValidationError(MSG_FORM_REQUIRED, code="form_required")
    name = attachments.clean_name(getattr(signed_form, "name", ""))
    if attachments.extension_of(name) != "pdf":
        raise ValidationError(MSG_FORM_NOT_PDF, code="form_not_pdf")
    # The shared file check: not empty, not too large, and its first bytes are a PDF's ("%PDF-").
    return attachments.check_file(signed_form)


# --- giving ---------------------------------------------------------------------------------------------


@service_atomic
def consent_give(
    person,
    *,
    recipients,
    categories,
    purpose: str,
    given_on: date,
    given_how: str,
    expires_on: date | None = None,
    signed_form=None,
    witness_name: str = "",
    witness_role: str = "",
    acting_user,
) -> Consent:
    """Record a consent (see the module docstring for the contract)."""
    membership = _recorder(acting_user, person)
    unit = membership.organisation
    purpose = _clean_text(
        purpose,
        required_msg=MSG_PURPOSE_REQUIRED,
        required_code="purpose_required",
        max_len=PURPOSE_MAX,
        long_msg=MSG_PURPOSE_TOO_LONG,
        long_code="purpose_too_long",
    )
    orgs = _clean_recipients(recipients, unit)
    cats = _clean_categories(categories)
    given_on, expires_on = _clean_dates(person, given_on, expires_on)
    checked = None
    if given_how == GivenHow.SIGNED_FORM:
        checked = _clean_form(signed_form)
        witness_name = witness_role = ""
    elif given_how == GivenHow.ORAL:
        witness_name, witness_role = (witness_name or "").strip(), (witness_role or "").strip()
        if not witness_name or not witness_role:
            raise ValidationError(MSG_WITNESS_REQUIRED, code="witness_required")
        if len(witness_name) > WITNESS_MAX or len(witness_role) > WITNESS_MAX:
            raise ValidationError(MSG_WITNESS_TOO_LONG, code="witness_too_long")
    else:
        raise ValidationError(MSG_GIVEN_HOW, code="given_how")

    consent = Consent(
        person=person,
        purpose=purpose,
        given_how=given_how,
        witness_name=witness_name,
        witness_role=witness_role,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=acting_user,
        recorded_by_organisation=unit,
        recorded_at=timezone.now(),
    )
    stored: list[str] = []
    try:
        if checked is not None:
            checked.upload.seek(0)
            consent.signed_form.save("samtykke.pdf", checked.upload, save=False)
            stored.append(consent.signed_form.name)
            consent.signed_form_size = checked.size
        _save_consent(consent, orgs, cats, given_how=given_how, acting_user=acting_user)
    except BaseException:
        _delete_stored(stored)  # nothing half-saved: the row rolls back, the file goes too
        raise
    return consent


def _delete_stored(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _save_consent(consent: Consent, orgs, cats, *, given_how: str, acting_user) -> None:
    consent.save()
    ConsentScope.objects.bulk_create(
        [ConsentScope(consent=consent, recipient=org, category=cat) for org in orgs for cat in cats]
    )
    audit_record(
        "consent.give",
        acting_user=acting_user,
        person=consent.person,
        obj=consent,
        purpose=f"Samtykke registreret: {consent.purpose}"[:300],
        details={
            "recipients": [org.code for org in orgs],
            "categories": cats,
            "given_how": given_how,
            "given_on": consent.given_on.isoformat(),
            "expires_on": consent.expires_on.isoformat(),
        },
    )


# --- revoking -------------------------------------------------------------------------------------------


def _lock(consent: Consent) -> Consent:
    return Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)


@service_atomic
def consent_revoke(consent: Consent, *, revoked_on: date, reason: str, acting_user) -> ConsentRevocation:
    """The client revoked the consent (see the module docstring)."""
    membership = _recorder(acting_user, consent.person)
    reason = _clean_text(
        reason,
        required_msg=MSG_REVOKE_REASON_REQUIRED,
        required_code="revoke_reason_required",
        max_len=TEXT_MAX,
        long_msg=MSG_REVOKE_REASON_TOO_LONG,
        long_code="revoke_reason_too_long",
    )
    if not isinstance(revoked_on, date):
        raise ValidationError(MSG_REVOKED_ON_REQUIRED, code="revoked_on_required")
    if revoked_on > timezone.localdate():
        raise ValidationError(MSG_REVOKED_ON_FUTURE, code="revoked_on_future")
    locked = _lock(consent)
    if locked.revoked_at is not None:
        raise ValidationError(MSG_ALREADY_REVOKED, code="already_revoked")
    if revoked_on < locked.given_on:
        raise ValidationError(MSG_REVOKED_BEFORE_GIVEN, code="revoked_before_given")
    now = timezone.now()
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at", "updated_at"])
    consent.revoked_at = now
    revocation = ConsentRevocation.objects.create(
        consent=locked,
        revoked_on=revoked_on,
        reason=reason,
        recorded_by=acting_user,
        recorded_by_organisation=membership.organisation,
        recorded_at=now,
    )
    scopes = list(locked.scopes.select_related("recipient").order_by("recipient__code", "category"))
    codes = list(dict.fromkeys(s.recipient.code for s in scopes if s.recipient_id != membership.organisation_id))
    audit_record(
        "consent.revoke",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Samtykke tilbagekaldt: {locked.purpose}"[:300],
        details={"revocation": str(revocation.pk), "revoked_on": revoked_on.isoformat(), "recipients": codes},
    )
    notices_send(
        NoticeEvent(
            kind=REVOCATION_TRIGGER,
            person=locked.person,
            source=revocation,
            thread=locked,
            sender=membership.organisation,
            occurred_at=now,
            acting_user=acting_user,
            # The consent is over: the recipients' links to the person that these notices open run out by
            # people.link_rules (a while after the notice is acknowledged), never live on with a dead thread.
            ends_thread=True,
            facts={
                "consent_recipients": codes,
                "consent_purpose": locked.purpose,
                "consent_categories": list(dict.fromkeys(s.category for s in scopes)),
                "consent_given_on": locked.given_on.isoformat(),
                "consent_revoked_on": revoked_on.isoformat(),
            },
        )
    )
    return revocation


# --- the gate -------------------------------------------------------------------------------------------


@service_atomic
def consent_require(
    person, *, recipient, category: str, purpose: str = "", acting_user=None, override_reason: str = ""
):
    """The live consent that covers the disclosure; else, for a user who may override and gives a reason, the
    ConsentOverride row written now; else ConsentMissing (see the module docstring)."""
    consent = consent_live_for(person, recipient=recipient, category=category, purpose=purpose)
    if consent is not None:
        return consent
    reason = (override_reason or "").strip()
    if not reason:
        raise ConsentMissing(MSG_NO_CONSENT, code="no_consent")
    if not access.may_override(acting_user):
        raise ConsentMissing(MSG_OVERRIDE_NOT_ALLOWED, code="override_not_allowed")
    if len(reason) > TEXT_MAX:
        raise ValidationError(MSG_OVERRIDE_REASON_TOO_LONG, code="override_reason_too_long")
    membership = active_membership(acting_user)
    recipient_org = recipient if isinstance(recipient, Organisation) else Organisation.objects.get(pk=recipient)
    override = ConsentOverride.objects.create(
        person=person,
        recipient=recipient_org,
        category=category,
        purpose=(purpose or "")[:PURPOSE_MAX],
        reason=reason,
        acting_user=acting_user,
        organisation=membership.organisation,
        at=timezone.now(),
    )
    audit_record(
        "consent.override",
        acting_user=acting_user,
        person=person,
        obj=override,
        purpose=f"Videregivelse uden samtykke til {recipient_org.display_name}: {purpose or category}"[:300],
        details={"recipient": recipient_org.code, "category": category},
    )
    return override
