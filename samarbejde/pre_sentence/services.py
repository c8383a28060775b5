"""Writes for § 808 personundersøgelser: open an investigation, send information requests, close it.

Each is one business event in one transaction: the change, its audit events (naming the person) and the notices
(notifications.services.notices_send: rule pre_sentence.information_request). Bad input raises ValidationError
with a Danish message and a code, keyed by the form's field where there is one; nothing is half-saved.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.audit.services import audit_record
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.services import consent_require
from samarbejde.core import dates
from samarbejde.core.transactions import service_atomic
from samarbejde.notifications import services as notification_services
from samarbejde.notifications.events import NoticeEvent
from samarbejde.notifications.registry import BASIS_PRE_SENTENCE, PRE_SENTENCE_DEADLINE
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import KRFO_KINDS
from samarbejde.people import link_rules
from samarbejde.people.models import LinkReason, Person
from samarbejde.people.services import person_link_open, person_links_end_for_source, person_register
from samarbejde.pre_sentence.access import works_on_investigations
from samarbejde.pre_sentence.models import DisclosureBasis, InformationRequest, Investigation, InvestigationStatus

TRIGGER = "pre_sentence.information_request"
CLOSED_TRIGGER = "pre_sentence.closed"  # no notice (notifications.rules): it ends the thread

MSG_NOT_ALLOWED = "Kun Kriminalforsorgen i Friheds medarbejdere kan oprette og behandle personundersøgelser."
MSG_COURT_REQUIRED = "Vælg eller skriv den ret, der har bedt om personundersøgelsen."
MSG_COURT_TOO_LONG = "Rettens navn må højst være 120 tegn."
MSG_HEARING_REQUIRED = "Angiv datoen for retsmødet."
MSG_HEARING_PAST = "Retsmødet skal ligge i fremtiden. Kontrollér datoen (i dag er %(today)s)."
MSG_CLOSED = "Personundersøgelsen er afsluttet. Der kan ikke sendes flere anmodninger."
MSG_ALREADY_CLOSED = "Personundersøgelsen er allerede afsluttet."
MSG_NO_RECIPIENTS = "Vælg mindst én modtager: borgerens bopælskommune eller en anden myndighed."
MSG_RECIPIENT_KRFO = "Anmodningen sendes til kommunen eller en anden myndighed, ikke til Kriminalforsorgen selv."
MSG_QUESTIONS_REQUIRED = "Skriv de spørgsmål, modtageren skal svare på."
MSG_QUESTIONS_TOO_LONG = "Spørgsmålene må højst være %(max)d tegn."
MSG_BASIS_REQUIRED = "Vælg grundlaget for anmodningen: retsplejeloven § 808 eller borgerens samtykke."
MSG_BASIS_UNKNOWN = "Det valgte lovgrundlag kan ikke bruges til en anmodning om oplysninger til personundersøgelsen."
MSG_DUE_REQUIRED = "Angiv svarfristen."
MSG_DUE_PAST = "Svarfristen kan ikke ligge før i dag."
MSG_DUE_AFTER_HEARING = "Svarfristen skal ligge før retsmødet den %(hearing)s, så svaret kan nå med i erklæringen."
MSG_ANSWER_CLOSED = (
    "Kriminalforsorgen har afsluttet personundersøgelsen, så anmodningen kan ikke længere besvares. "
    "Kontakt Kriminalforsorgen i Frihed, hvis oplysningerne stadig er vigtige."
)
MSG_NOTE_TOO_LONG = "Bemærkningen må højst være 1000 tegn."
WITHDRAW_REASON = "Personundersøgelsen er afsluttet; anmodningen skal ikke længere besvares."

QUESTIONS_MAX = 4000
NOTE_MAX = 1000

# The legal bases a § 808 information request may cite (paragraph keys of reference/legal_acts.json).
LEGAL_BASES = {BASIS_PRE_SENTENCE: "Retsplejeloven § 808 (personundersøgelse forud for dom)"}

# KiF keeps seeing a closed investigation (to answer the court's questions on the report) for a while: a product
# choice (no source found), the setting PRE_SENTENCE_ACCESS_DAYS_AFTER_CLOSE (people.link_rules).
ACCESS_AFTER_CLOSE = link_rules.PRE_SENTENCE_CLOSED


def _require_kif(acting_user):
    if not works_on_investigations(acting_user):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    return active_membership(acting_user).organisation


def _date_label(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def default_answer_due(hearing_date: date | None, today: date | None = None) -> date:
    """The answer date the form proposes: the registry's default (PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS after
    today), but at the latest PRE_SENTENCE_ANSWER_DAYS_BEFORE_HEARING days before the hearing (a product choice,
    a setting: KiF needs time to write its report), and never before today."""
    today = today or timezone.localdate()
    due = PRE_SENTENCE_DEADLINE.due_from(today)
    if hearing_date is not None:
        margin = int(getattr(settings, "PRE_SENTENCE_ANSWER_DAYS_BEFORE_HEARING", 3))
        due = min(due, hearing_date - timedelta(days=margin))
    return max(due, today)


def _clean_hearing(court: str, hearing_date) -> tuple[str, date]:
    errors: dict[str, ValidationError] = {}
    court = (court or "").strip()
    if not court:
        errors["court"] = ValidationError(MSG_COURT_REQUIRED, code="court_required")
    elif len(court) > 120:
        errors["court"] = ValidationError(MSG_COURT_TOO_LONG, code="court_too_long")
    today = timezone.localdate()
    if hearing_date is None:
        errors["hearing_date"] = ValidationError(MSG_HEARING_REQUIRED, code="hearing_required")
    elif hearing_date <= today:
        errors["hearing_date"] = ValidationError(
            MSG_HEARING_PAST, code="hearing_in_past", params={"today": _date_label(today)}
        )
    else:
        try:
            dates.check_planned(hearing_date)
        except ValidationError as exc:
            errors["hearing_date"] = exc
    if errors:
        raise ValidationError(errors)
    return court, hearing_date


@service_atomic
def investigation_open(
    *,
    person: Person | None,
    court: str,
    hearing_date: date | None,
    acting_user,
    cpr: str = "",
    first_name: str = "",
    last_name: str = "",
    home_municipality=None,
) -> Investigation:
    """KiF opens a § 808 investigation for a person (registered here when not known yet, as an admission does).
    The investigation gives the KiF office its live link to the person. No custody episode is needed."""
    office = _require_kif(acting_user)
    court, hearing_date = _clean_hearing(court, hearing_date)
    if person is None:
        person = person_register(
            cpr=cpr,
            first_name=first_name,
            last_name=last_name,
            home_municipality=home_municipality,
            acting_user=acting_user,
            purpose="Registrering til personundersøgelse (§ 808)",
        )
    investigation = Investigation.objects.create(
        person=person,
        probation_office=office,
        court=court,
        hearing_date=hearing_date,
        opened_at=timezone.now(),
        opened_by=acting_user,
    )
    person_link_open(person, organisation=office, reason=LinkReason.CASE, source=investigation, acting_user=acting_user)
    audit_record(
        "pre_sentence.open",
        acting_user=acting_user,
        person=person,
        obj=investigation,
        purpose=f"Personundersøgelse (§ 808) til {court}",
        details={"hearing_date": hearing_date.isoformat()},
    )
    return investigation


@dataclass
class RequestOutcome:
    requests: list[InformationRequest] = field(default_factory=list)
    notifications: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _lock(investigation: Investigation) -> Investigation:
    return (
        Investigation.objects.select_for_update(of=("self",))
        .select_related("person__home_municipality", "probation_office")
        .get(pk=investigation.pk)
    )


def _clean_request(investigation, recipients, questions, basis, answer_due) -> tuple[list, str, str, date]:
    errors: dict[str, ValidationError] = {}
    recipients = [r for r in dict.fromkeys(recipients or ()) if r is not None]
    if not recipients:
        errors["recipients"] = ValidationError(MSG_NO_RECIPIENTS, code="no_recipients")
    elif any(r.kind in KRFO_KINDS or not r.is_active for r in recipients):
        errors["recipients"] = ValidationError(MSG_RECIPIENT_KRFO, code="recipient_krfo")
    questions = (questions or "").strip()
    if not questions:
        errors["questions"] = ValidationError(MSG_QUESTIONS_REQUIRED, code="questions_required")
    elif len(questions) > QUESTIONS_MAX:
        errors["questions"] = ValidationError(
            MSG_QUESTIONS_TOO_LONG, code="questions_too_long", params={"max": QUESTIONS_MAX}
        )
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = ValidationError(MSG_BASIS_REQUIRED, code="basis_required")
    elif basis != DisclosureBasis.CONSENT and basis not in LEGAL_BASES:
        errors["basis"] = ValidationError(MSG_BASIS_UNKNOWN, code="basis_unknown")
    today = timezone.localdate()
    if answer_due is None:
        errors["answer_due"] = ValidationError(MSG_DUE_REQUIRED, code="due_required")
    elif answer_due < today:
        errors["answer_due"] = ValidationError(MSG_DUE_PAST, code="due_in_past")
    elif answer_due >= investigation.hearing_date:
        errors["answer_due"] = ValidationError(
            MSG_DUE_AFTER_HEARING, code="due_after_hearing", params={"hearing": _date_label(investigation.hearing_date)}
        )
    if errors:
        raise ValidationError(errors)
    return recipients, questions, basis, answer_due


def _basis_text(basis: str, consent=None) -> str:
    if basis == DisclosureBasis.CONSENT:
        given = getattr(consent, "given_on", None)
        when = f" (givet {_date_label(given)})" if isinstance(given, date) else ""
        return f"Borgerens samtykke til at videregive oplysninger til personundersøgelsen{when}"
    return LEGAL_BASES[basis]


@transaction.atomic
def information_request_send(
    investigation: Investigation,
    *,
    recipients,
    questions: str,
    basis: str,
    answer_due: date | None,
    acting_user,
) -> RequestOutcome:
    """KiF asks each of `recipients` (organisations) the same questions, on a legal basis (a key of LEGAL_BASES)
    or the person's consent (basis "consent": a live consent to disclose pre-sentence information to that
    recipient, consent.services.consent_require), with an answer date from today to before the hearing. One
    request and one notice (needs an answer, text and files) per recipient."""
    office = _require_kif(acting_user)
    locked = _lock(investigation)
    if locked.probation_office_id != office.pk:
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if not locked.is_open:
        raise ValidationError(MSG_CLOSED, code="investigation_closed")
    recipients, questions, basis, answer_due = _clean_request(locked, recipients, questions, basis, answer_due)
    consents = {}
    if basis == DisclosureBasis.CONSENT:
        for recipient in recipients:
            try:
                consents[recipient.pk] = consent_require(
                    locked.person,
                    recipient=recipient,
                    category=DataCategory.PRE_SENTENCE_INFORMATION,
                    purpose="Personundersøgelse (retsplejeloven § 808)",
                )
            except ValidationError as exc:
                raise ValidationError({"basis": exc.error_list}) from None
    now = timezone.now()
    outcome = RequestOutcome()
    requester = {"name": acting_user.display_name, "institution": office.display_name}
    for recipient in recipients:
        consent = consents.get(recipient.pk)
        request = InformationRequest.objects.create(
            investigation=locked,
            recipient=recipient,
            questions=questions,
            basis=DisclosureBasis.CONSENT if consent is not None else DisclosureBasis.LEGAL,
            legal_basis_key="" if consent is not None else basis,
            consent_ref=str(consent.pk) if consent is not None else "",
            answer_due=answer_due,
            sent_at=now,
            sent_by=acting_user,
        )
        audit_record(
            "pre_sentence.request_send",
            acting_user=acting_user,
            person=locked.person,
            obj=request,
            purpose=f"Anmodning om oplysninger (§ 808) til {recipient.display_name}",
            details={"investigation": str(locked.pk), "basis": request.basis, "consent": request.consent_ref},
        )
        sent = notification_services.notices_send(
            NoticeEvent(
                kind=TRIGGER,
                person=locked.person,
                source=request,
                thread=locked,
                sender=office,
                occurred_at=now,
                acting_user=acting_user,
                facts={
                    "addressee": recipient.code,
                    "court": locked.court,
                    "hearing_date": locked.hearing_date.isoformat(),
                    "questions": questions,
                    "disclosure_basis": _basis_text(basis, consent),
                    "requested_by": requester,
                    "answer_due": answer_due.isoformat(),
                },
            )
        )
        outcome.requests.append(request)
        outcome.notifications.extend(sent)
        outcome.warnings.extend(sent.warnings)
    return outcome


@transaction.atomic
def investigation_close(investigation: Investigation, *, note: str = "", acting_user) -> Investigation:
    """KiF closes the investigation (the report has gone to the court). Requests not answered yet are withdrawn
    (the recipient is told and loses the link the request gave); later answers are refused (answer_refusal). The
    thread ends, so the answered requests' recipients lose their links by people.link_rules (SETTLED_AFTER_END);
    KiF's own link runs out ACCESS_AFTER_CLOSE later. Closing twice is refused with a Danish message."""
    office = _require_kif(acting_user)
    locked = _lock(investigation)
    if locked.probation_office_id != office.pk:
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if not locked.is_open:
        raise ValidationError(MSG_ALREADY_CLOSED, code="already_closed")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": ValidationError(MSG_NOTE_TOO_LONG, code="note_too_long")})
    now = timezone.now()
    locked.status = InvestigationStatus.CLOSED
    locked.closed_at = now
    locked.closed_by = acting_user
    locked.closing_note = note
    locked.save(update_fields=["status", "closed_at", "closed_by", "closing_note", "updated_at"])
    withdrawn = []
    for notice in notification_services.thread_notices(locked).filter(answered_at__isnull=True):
        notification_services.notification_withdraw(notice, reason=WITHDRAW_REASON, acting_user=acting_user)
        withdrawn.append(str(notice.pk))
    # The matter is over: the answered requests' recipients keep their links only a while longer (people.link_rules,
    # via notifications: an event that sends nothing and ends the thread).
    notification_services.notices_send(
        NoticeEvent(
            kind=CLOSED_TRIGGER,
            person=locked.person,
            source=locked,
            thread=locked,
            sender=office,
            occurred_at=now,
            acting_user=acting_user,
            ends_thread=True,
        )
    )
    person_links_end_for_source(
        locked,
        organisation=office,
        at=now + ACCESS_AFTER_CLOSE.period,
        rule=ACCESS_AFTER_CLOSE,
        acting_user=acting_user,
    )
    audit_record(
        "pre_sentence.close",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose="Personundersøgelsen (§ 808) er afsluttet",
        details={"withdrawn": withdrawn},
    )
    return locked


def answer_refusal(notification) -> str | None:
    """The answer guard notifications calls (registered in apps.ready): refuse answers to a request of a closed
    investigation."""
    closed = InformationRequest.objects.filter(
        pk=notification.source_id, investigation__status=InvestigationStatus.CLOSED
    ).exists()
    return MSG_ANSWER_CLOSED if closed else None
