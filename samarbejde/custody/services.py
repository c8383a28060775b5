"""Writes for custody episodes: one function per business event.

Each service locks what it changes, checks its guards (Danish messages below, asserted by the tests),
appends the EpisodeEvent, writes its audit event and hands the event to notifications as a NoticeEvent
(the person, the event as source, the episode as thread, the institution as sender, and the facts the rules
and snapshots need), all in one transaction: a guard that fails, or anything that fails later, leaves nothing
behind. Custody never reads or writes notices itself: notifications.services and notifications.selectors do.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from samarbejde.audit.services import audit_batch, audit_record
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.selectors import consent_live_for
from samarbejde.consent.services import consent_require
from samarbejde.core import dates
from samarbejde.core.transactions import service_atomic
from samarbejde.custody.access import may_change_at
from samarbejde.custody.models import (
    CustodyType,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    ReleaseCertainty,
    ReleaseKind,
)
from samarbejde.notifications.events import NoticeEvent
from samarbejde.notifications.models import Notification
from samarbejde.notifications.selectors import thread_notice_first
from samarbejde.notifications.services import notices_correct, notices_send
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Cap, OrgKind
from samarbejde.people import link_rules
from samarbejde.people.models import LinkReason, Person
from samarbejde.people.selectors import person_search_by_cpr
from samarbejde.people.services import (
    LinkOpening,
    person_links_end_for_source,
    person_links_open,
    person_register,
    person_update_situation,
)

MSG_NOT_ALLOWED = "Kun Kriminalforsorgens sagsbehandlere kan registrere indsættelser, overførsler og løsladelser."
MSG_NOT_OWN_INSTITUTION = (
    "Du kan kun registrere indsættelser i din egen institution. Den modtagende institution registrerer indsættelsen."
)
MSG_NOT_HOLDER = (
    "Personen er indsat i en anden institution. Kun den institution, der har personen, kan registrere hændelser "
    "i forløbet (en overførsel også den modtagende institution)."
)
MSG_ALREADY_IN_CUSTODY = "Personen er allerede indsat. Registrér løsladelsen, før du registrerer en ny indsættelse."
MSG_NOT_KRFO_INSTITUTION = "Vælg en af Kriminalforsorgens institutioner (fængsel, arresthus eller pension)."
MSG_CUSTODY_TYPE = "Vælg varetægtsfængsling eller afsoning."
MSG_DATE_IN_FUTURE = "Datoen ligger for langt ude i fremtiden. Registrér hændelsen, når den er sket."
MSG_DATE_REQUIRED = "Angiv dato og tidspunkt."
MSG_BEFORE_ADMISSION = "Datoen ligger før indsættelsen. Kontrollér datoen."
MSG_RELEASE_BEFORE_ADMISSION = "Løsladelsen kan ikke ligge før indsættelsen. Kontrollér datoen."
MSG_EXPECTED_BEFORE_ADMISSION = "Den forventede løsladelsesdato kan ikke ligge før indsættelsen."
MSG_EXPECTED_TOO_FAR = "Den forventede løsladelsesdato ligger mere end 30 år ude i fremtiden. Kontrollér datoen."
MSG_CERTAINTY = "Angiv, om den forventede løsladelsesdato er skønnet eller fastsat."
MSG_CERTAINTY_WITHOUT_DATE = "Angiv den forventede løsladelsesdato, eller vælg »Ukendt«."
MSG_EPISODE_CLOSED = "Forløbet er afsluttet, fordi personen er løsladt. Der kan ikke registreres flere hændelser."
MSG_SAME_INSTITUTION = "Personen er allerede indsat i denne institution. Vælg en anden institution."
MSG_ALREADY_SENTENCE = "Personen afsoner allerede. Kun en varetægtsfængsling kan ændres til afsoning."
MSG_NO_DATE_CHANGE = "Den forventede løsladelsesdato og sikkerheden er uændrede."
MSG_RELEASE_KIND = "Vælg, hvordan personen er løsladt."
MSG_ADDRESS_TOO_LONG = "Adressen må højst være 300 tegn."
MSG_COORDINATION_CHOICE = "Vælg, om handleplanen skal koordineres med kommunen."
MSG_COORDINATION_REASON_REQUIRED = "Skriv en begrundelse, når handleplanen ikke skal koordineres med kommunen."
MSG_COORDINATION_REASON_TOO_LONG = "Begrundelsen må højst være 1000 tegn."
COORDINATION_REASON_MAX = 1000
MSG_SENTENCE_DAYS = "Angiv straffens længde som et helt antal dage mellem 1 og 36500, eller lad feltet stå tomt."
MSG_SENTENCE_DAYS_REMAND = "En varetægtsfængsling har ingen straflængde. Lad feltet stå tomt."
MSG_PAROLE_SUPERVISION = "Vælg, om prøveløsladelsen er med tilsyn, eller lad feltet stå tomt."
MAX_SENTENCE_DAYS = 36500

CASE_FILES_RULE = "coordination.case_files"
CASE_FILES_PURPOSE = "Indhentning af sagsakter"  # the purpose the consent gate records (consent app)

# How far ahead an event may be registered (clock skew, a release registered the evening before).
FUTURE_TOLERANCE = timedelta(days=1)
MAX_EXPECTED_STAY_DAYS = 30 * 365 + 8  # 30 years with their leap days


@dataclass
class EventOutcome:
    """What a custody service did: the episode, the event, its notices and warnings for the user.

    `warnings` are Danish messages about notices that could not be sent (e.g. unknown home municipality).
    """

    episode: Episode
    event: EpisodeEvent | None
    notifications: list[Notification] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # episode_decide_coordination only: True when the decision was already registered (nothing written),
    # and the case files request sent earlier in the episode, if any.
    unchanged: bool = False
    case_files_request: Notification | None = None
    # episode_correct_person only: the notices the correction withdrew.
    withdrawn: list[Notification] = field(default_factory=list)


# --- guards ---------------------------------------------------------------------------------------------


def _require_krfo(acting_user) -> None:
    membership = active_membership(acting_user)
    if membership is None or not membership.organisation.is_krfo or not membership.can(Cap.PERSON_REGISTER):
        raise PermissionDenied(MSG_NOT_ALLOWED)


def _may_register_for(acting_user, episode: Episode, *, receiving: Organisation | None = None) -> bool:
    """Need-to-know (ADR 0008): only the institution that holds the person registers its events; a transfer
    may also be reported by the institution that receives the person (custody.access.may_change_at)."""
    return may_change_at(acting_user, episode.institution) or (
        receiving is not None and may_change_at(acting_user, receiving)
    )


def _require_holder(acting_user, episode: Episode, *, receiving: Organisation | None = None) -> None:
    if not _may_register_for(acting_user, episode, receiving=receiving):
        raise PermissionDenied(MSG_NOT_HOLDER)


def _hold(episode: Episode, institution: Organisation, *, acting_user) -> None:
    """The institution that takes the person in sees the episode (and its notices) while it holds them."""
    person_links_open(
        episode.person,
        [LinkOpening(organisation=institution, reason=LinkReason.CUSTODY, source=episode)],
        acting_user=acting_user,
    )


def _let_go(episode: Episode, institution: Organisation, occurred_at: datetime, *, acting_user) -> None:
    """The institution that transfers or releases the person keeps seeing the episode for a set time."""
    at = max(occurred_at, timezone.now()) + link_rules.CUSTODY_MOVED_ON.period
    person_links_end_for_source(
        episode, organisation=institution, at=at, rule=link_rules.CUSTODY_MOVED_ON, acting_user=acting_user
    )


def _as_datetime(value) -> datetime:
    """Accept an aware or naive datetime (naive = Danish local time) or a date (= midnight local time)."""
    if value is None:
        raise ValidationError(MSG_DATE_REQUIRED, code="date_required")
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    raise ValidationError(MSG_DATE_REQUIRED, code="date_required")


def _not_in_future(value: datetime) -> None:
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(MSG_DATE_IN_FUTURE, code="date_in_future")


def _check_institution(institution) -> None:
    if not isinstance(institution, Organisation) or (
        institution.kind != OrgKind.KRFO_INSTITUTION or not institution.is_active
    ):
        raise ValidationError(MSG_NOT_KRFO_INSTITUTION, code="not_krfo_institution")


def _clean_expected(expected: date | None, certainty: str | None, admitted_at: datetime) -> tuple[date | None, str]:
    """The expected release date and its certainty: no date means 'unknown'; a date needs a certainty."""
    if isinstance(expected, datetime):
        expected = timezone.localtime(expected).date() if timezone.is_aware(expected) else expected.date()
    if expected is None:
        if certainty not in (None, "", ReleaseCertainty.UNKNOWN):
            raise ValidationError(MSG_CERTAINTY_WITHOUT_DATE, code="certainty_without_date")
        return None, ReleaseCertainty.UNKNOWN
    if not isinstance(expected, date):
        raise ValidationError(MSG_DATE_REQUIRED, code="date_required")
    if certainty not in (ReleaseCertainty.ESTIMATED, ReleaseCertainty.DECIDED):
        raise ValidationError(MSG_CERTAINTY, code="certainty")
    admitted = timezone.localtime(admitted_at).date()
    if expected < admitted:
        raise ValidationError(MSG_EXPECTED_BEFORE_ADMISSION, code="expected_before_admission")
    if (expected - admitted).days > MAX_EXPECTED_STAY_DAYS:
        raise ValidationError(MSG_EXPECTED_TOO_FAR, code="expected_too_far")
    dates.check_planned(expected)  # the plausible window (core.dates), as in the forms and the API
    return expected, certainty


def _clean_sentence_days(value, custody_type: str) -> int | None:
    """The sentence's length in days (None: unknown); a remand has none."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SENTENCE_DAYS:
        raise ValidationError(MSG_SENTENCE_DAYS, code="sentence_days")
    if custody_type == CustodyType.REMAND:
        raise ValidationError(MSG_SENTENCE_DAYS_REMAND, code="sentence_days_remand")
    return value


def _lock_open(episode: Episode) -> Episode:
    """Lock the episode row (concurrent writes wait) and refuse closed episodes."""
    locked = (
        Episode.objects.select_for_update(of=("self",))
        .select_related("person__home_municipality", "institution")
        .get(pk=episode.pk)
    )
    if locked.status != EpisodeStatus.OPEN:
        raise ValidationError(MSG_EPISODE_CLOSED, code="episode_closed")
    return locked


def _after_admission(episode: Episode, value: datetime, message: str = MSG_BEFORE_ADMISSION) -> None:
    if value < episode.admitted_at:
        raise ValidationError(message, code="before_admission")


def _record(episode: Episode, kind: str, *, occurred_at: datetime, acting_user, payload: dict, **extra) -> EpisodeEvent:
    event = EpisodeEvent(
        episode=episode,
        kind=kind,
        occurred_at=occurred_at,
        acting_user=acting_user if getattr(acting_user, "pk", None) else None,
        payload=payload,
        **extra,
    )
    event.save()
    event.episode = episode  # keep the loaded person and institution for the notification step
    return event


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _local_date(value: datetime) -> date:
    return timezone.localtime(value).date()


def _institution(org: Organisation | None) -> dict:
    if org is None:
        return {}
    return {"name": org.display_name, "address": org.address, "phone": org.phone, "email": org.email}


def notice_facts(episode: Episode, event: EpisodeEvent) -> dict:
    """What notifications needs to know about the person and the stay at this event (see
    notifications.rules.PersonSituation.from_facts and notifications.registry.SNAPSHOT_FIELDS). No query: it
    uses the loaded person, institution and event."""
    person = episode.person
    admitted = _local_date(episode.admitted_at)
    if event.kind == EventKind.RELEASE and episode.released_at is not None:
        stay_days = (_local_date(episode.released_at) - admitted).days
    elif episode.expected_release_date is not None:
        stay_days = (episode.expected_release_date - admitted).days
    else:
        stay_days = None
    facts = {
        "home_municipality": person.home_municipality.code if person.home_municipality_id else None,
        "pension": person.pension,
        "benefits": list(person.benefits or ()),
        "stay_days": stay_days,
        "coordinate_action_plan": episode.coordinate_action_plan,
        "custody_type": episode.custody_type,
        "institution": _institution(episode.institution),
        "admitted_at": _iso(episode.admitted_at),
        "expected_release_date": _iso(episode.expected_release_date),
        "release_certainty": episode.release_certainty,
    }
    if event.kind == EventKind.TRANSFER:
        facts["transferred_at"] = _iso(event.occurred_at)
        facts["from_institution"] = {"name": event.from_institution.display_name} if event.from_institution else {}
    if event.kind == EventKind.RELEASE_DATE_CHANGE:
        facts["previous_release_date"] = event.payload.get("previous_release_date")
    if event.kind == EventKind.COORDINATION_DECISION:
        requester = event.acting_user if event.acting_user_id else None
        facts["requested_by"] = (
            {"name": requester.display_name, "institution": episode.institution.display_name} if requester else {}
        )
    if episode.coordinate_action_plan and event.kind in (EventKind.COORDINATION_DECISION, EventKind.CORRECTION):
        facts["case_files_covered"] = _case_files_covered(episode, event)
    if event.kind == EventKind.RELEASE:
        facts["released_at"] = _iso(episode.released_at)
        facts["release_kind"] = episode.release_kind
        facts["address_after_release"] = episode.address_after_release
    return facts


def _case_files_covered(episode: Episode, event: EpisodeEvent) -> bool:
    """Whether a case-files request to the home municipality may go (Køreplan step 4 rests on the client's
    consent, step 3): the coordination decision passed consent_require (a live consent or a manager's override)
    right before; a correction keeps a request already sent to the same municipality, and asks a new one (the
    home municipality corrected) only on a live consent with it. Without one the rule sends nothing; a "yes"
    repeated after the consent is recorded sends the request (episode_decide_coordination)."""
    if event.kind == EventKind.COORDINATION_DECISION:
        return True
    home = episode.person.home_municipality
    if home is None:
        return True  # nowhere to send it yet: the rule says "home municipality unknown" as before
    sent = thread_notice_first(episode, rule=CASE_FILES_RULE)
    if sent is not None and sent.recipient_organisation_id == home.pk:
        return True
    return consent_live_for(episode.person, recipient=home, category=DataCategory.CASE_FILES) is not None


def _notice_event(episode: Episode, event: EpisodeEvent, *, acting_user, reason: str = "") -> NoticeEvent:
    return NoticeEvent(
        kind=f"custody.{event.kind}",
        person=episode.person,
        source=event,
        thread=episode,
        sender=episode.institution,  # the institution that holds (or released) the person tells
        occurred_at=event.occurred_at,
        acting_user=acting_user,
        facts=notice_facts(episode, event),
        reason=reason,
        # A release ends the stay: the recipients' links to the person now run out (people.link_rules).
        ends_thread=event.kind == EventKind.RELEASE,
    )


def _finish(episode: Episode, event: EpisodeEvent, *, action: str, purpose: str, acting_user) -> EventOutcome:
    audit_record(
        action,
        acting_user=acting_user,
        person=episode.person,
        obj=episode,
        purpose=purpose,
        details={"event": str(event.pk), "kind": event.kind},
    )
    created = notices_send(_notice_event(episode, event, acting_user=acting_user))
    return EventOutcome(episode=episode, event=event, notifications=list(created), warnings=created.warnings)


# --- services -------------------------------------------------------------------------------------------


@service_atomic
def episode_admit(
    person: Person,
    *,
    institution: Organisation,
    custody_type: str,
    admitted_at: datetime,
    expected_release: date | None = None,
    certainty: str | None = None,
    sentence_days: int | None = None,
    parole_with_supervision: bool | None = None,
    acting_user,
) -> EventOutcome:
    """Admit a person (remand or sentence) to a KRFO institution and send the admission notices (their audit
    events and the admission's in one statement, audit_batch). `sentence_days` and `parole_with_supervision`
    are optional facts for the handleplan's applicability (action_plans.rules)."""
    with audit_batch():
        return _admit(
            person,
            institution=institution,
            custody_type=custody_type,
            admitted_at=admitted_at,
            expected_release=expected_release,
            certainty=certainty,
            sentence_days=sentence_days,
            parole_with_supervision=parole_with_supervision,
            acting_user=acting_user,
        )


def _admit(
    person: Person,
    *,
    institution: Organisation,
    custody_type: str,
    admitted_at: datetime,
    expected_release: date | None,
    certainty: str | None,
    acting_user,
    registered_now: bool = False,
    sentence_days: int | None = None,
    parole_with_supervision: bool | None = None,
) -> EventOutcome:
    """episode_admit's body. `registered_now`: the person was created in this transaction, so no other
    transaction can see them yet: there is nothing to lock against and no episode of theirs can exist (three
    round trips saved on every admission of a new person)."""
    _require_krfo(acting_user)
    _check_institution(institution)
    if not may_change_at(acting_user, institution):
        raise PermissionDenied(MSG_NOT_OWN_INSTITUTION)
    if custody_type not in CustodyType.values:
        raise ValidationError(MSG_CUSTODY_TYPE, code="custody_type")
    admitted_at = _as_datetime(admitted_at)
    _not_in_future(admitted_at)
    # The plausible window (core.dates, a product choice): forms, API and this service alike.
    dates.check_occurred(admitted_at, birth=dates.birth_date_of(person.cpr))
    expected, certainty = _clean_expected(expected_release, certainty, admitted_at)
    sentence_days = _clean_sentence_days(sentence_days, custody_type)
    if parole_with_supervision not in (None, True, False):
        raise ValidationError(MSG_PAROLE_SUPERVISION, code="parole_with_supervision")
    if not registered_now:
        # Lock the person: two admissions of the same person at once wait for each other.
        person = Person.objects.select_for_update(of=("self",)).select_related("home_municipality").get(pk=person.pk)
        if Episode.objects.filter(person=person, status=EpisodeStatus.OPEN).exists():
            raise ValidationError(MSG_ALREADY_IN_CUSTODY, code="already_in_custody")
    episode = Episode(
        person=person,
        institution=institution,
        custody_type=custody_type,
        admitted_at=admitted_at,
        expected_release_date=expected,
        release_certainty=certainty,
        sentence_days=sentence_days,
        parole_with_supervision=parole_with_supervision,
    )
    if registered_now:
        episode.save()
    else:
        try:
            with transaction.atomic():
                episode.save()
        except IntegrityError:  # the partial unique constraint, if a concurrent admission won the race
            raise ValidationError(MSG_ALREADY_IN_CUSTODY, code="already_in_custody") from None
    _hold(episode, institution, acting_user=acting_user)
    event = _record(
        episode,
        EventKind.ADMISSION,
        occurred_at=admitted_at,
        acting_user=acting_user,
        to_institution=institution,
        payload={
            "custody_type": custody_type,
            "institution": institution.code,
            "expected_release_date": _iso(expected),
            "release_certainty": certainty,
        },
    )
    return _finish(
        episode,
        event,
        action="custody.admit",
        purpose=f"Indsættelse ({episode.get_custody_type_display().lower()}) i {institution.display_name}",
        acting_user=acting_user,
    )


@transaction.atomic
def episode_convert_to_sentence(episode: Episode, *, occurred_at: datetime, acting_user) -> EventOutcome:
    """Remand becomes sentence (the judgment). No notices by the current rules (see rules.recipients_for)."""
    _require_krfo(acting_user)
    occurred_at = _as_datetime(occurred_at)
    locked = _lock_open(episode)
    _require_holder(acting_user, locked)
    if locked.custody_type != CustodyType.REMAND:
        raise ValidationError(MSG_ALREADY_SENTENCE, code="already_sentence")
    _after_admission(locked, occurred_at)
    _not_in_future(occurred_at)
    locked.custody_type = CustodyType.SENTENCE
    locked.save(update_fields=["custody_type", "updated_at"])
    event = _record(
        locked,
        EventKind.CONVERSION,
        occurred_at=occurred_at,
        acting_user=acting_user,
        payload={"from": CustodyType.REMAND, "to": CustodyType.SENTENCE},
    )
    return _finish(
        locked,
        event,
        action="custody.convert",
        purpose="Varetægtsfængsling ændret til afsoning",
        acting_user=acting_user,
    )


@transaction.atomic
def episode_transfer(
    episode: Episode, *, to_institution: Organisation, occurred_at: datetime, acting_user
) -> EventOutcome:
    """Move the person to another KRFO institution; the home municipality is told the new place and contact."""
    _require_krfo(acting_user)
    _check_institution(to_institution)
    occurred_at = _as_datetime(occurred_at)
    locked = _lock_open(episode)
    _require_holder(acting_user, locked, receiving=to_institution)
    if locked.institution_id == to_institution.pk:
        raise ValidationError(MSG_SAME_INSTITUTION, code="same_institution")
    _after_admission(locked, occurred_at)
    _not_in_future(occurred_at)
    from_institution = locked.institution
    locked.institution = to_institution
    locked.save(update_fields=["institution", "updated_at"])
    _let_go(locked, from_institution, occurred_at, acting_user=acting_user)
    _hold(locked, to_institution, acting_user=acting_user)
    event = _record(
        locked,
        EventKind.TRANSFER,
        occurred_at=occurred_at,
        acting_user=acting_user,
        from_institution=from_institution,
        to_institution=to_institution,
        payload={"from": from_institution.code, "to": to_institution.code},
    )
    return _finish(
        locked,
        event,
        action="custody.transfer",
        purpose=f"Overført fra {from_institution.display_name} til {to_institution.display_name}",
        acting_user=acting_user,
    )


@transaction.atomic
def episode_change_release_date(
    episode: Episode,
    *,
    expected_release: date | None,
    certainty: str | None,
    occurred_at: datetime | None = None,
    acting_user,
) -> EventOutcome:
    """Set a new expected release date (or none: unknown); every party already notified is told."""
    _require_krfo(acting_user)
    occurred_at = _as_datetime(occurred_at or timezone.now())
    locked = _lock_open(episode)
    _require_holder(acting_user, locked)
    _after_admission(locked, occurred_at)
    _not_in_future(occurred_at)
    expected, certainty = _clean_expected(expected_release, certainty, locked.admitted_at)
    if (expected, certainty) == (locked.expected_release_date, locked.release_certainty):
        raise ValidationError(MSG_NO_DATE_CHANGE, code="no_change")
    previous = (locked.expected_release_date, locked.release_certainty)
    locked.expected_release_date, locked.release_certainty = expected, certainty
    locked.save(update_fields=["expected_release_date", "release_certainty", "updated_at"])
    event = _record(
        locked,
        EventKind.RELEASE_DATE_CHANGE,
        occurred_at=occurred_at,
        acting_user=acting_user,
        payload={
            "previous_release_date": _iso(previous[0]),
            "previous_certainty": previous[1],
            "expected_release_date": _iso(expected),
            "release_certainty": certainty,
        },
    )
    return _finish(
        locked,
        event,
        action="custody.change_release_date",
        purpose="Ændret forventet løsladelse",
        acting_user=acting_user,
    )


@transaction.atomic
def episode_release(
    episode: Episode, *, released_at: datetime, release_kind: str, address_after: str = "", acting_user
) -> EventOutcome:
    """Release: close the episode; the admission's parties are told the date and the address after release."""
    _require_krfo(acting_user)
    if release_kind not in ReleaseKind.values:
        raise ValidationError(MSG_RELEASE_KIND, code="release_kind")
    address_after = (address_after or "").strip()
    if len(address_after) > 300:
        raise ValidationError(MSG_ADDRESS_TOO_LONG, code="address_too_long")
    released_at = _as_datetime(released_at)
    locked = _lock_open(episode)
    _require_holder(acting_user, locked)
    _after_admission(locked, released_at, MSG_RELEASE_BEFORE_ADMISSION)
    _not_in_future(released_at)
    locked.status = EpisodeStatus.CLOSED
    locked.released_at = released_at
    locked.release_kind = release_kind
    locked.address_after_release = address_after
    locked.save(update_fields=["status", "released_at", "release_kind", "address_after_release", "updated_at"])
    _let_go(locked, locked.institution, released_at, acting_user=acting_user)
    event = _record(
        locked,
        EventKind.RELEASE,
        occurred_at=released_at,
        acting_user=acting_user,
        payload={"release_kind": release_kind, "released_at": _iso(released_at)},
    )
    return _finish(
        locked,
        event,
        action="custody.release",
        purpose=f"Løsladelse ({locked.get_release_kind_display().lower()})",
        acting_user=acting_user,
    )


@transaction.atomic
def episode_decide_coordination(
    episode: Episode, *, coordinate: bool, reason: str = "", acting_user, override_reason: str = ""
) -> EventOutcome:
    """KRFO decides whether the handleplan is coordinated with the municipality (BEK 642/2006 § 3).

    "Yes" asks the home municipality's social services for its case files (a notice of kind
    case_files_request, by rules.coordination_recipients). Idempotent: repeating the decision in force writes
    nothing and returns `unchanged=True` (with the request sent earlier), so a second "yes", also a
    concurrent one (the episode row is locked), never sends a second request. "No" needs a reason. A "yes"
    repeated after the home municipality became known sends the request that could not be sent before.

    The request rests on the client's consent (Køreplan step 3-4): the municipality discloses its files to
    KRFO only with it. Before a request is sent, consent.services.consent_require checks a live consent whose
    scope names the home municipality (the organisation KRFO exchanges the files with, consent.models) and
    DataCategory.CASE_FILES; without one the whole decision is refused (ConsentMissing, Danish message,
    nothing written), unless a KRFO manager gives `override_reason` (a ConsentOverride row, audited).
    """
    _require_krfo(acting_user)
    if not isinstance(coordinate, bool):
        raise ValidationError(MSG_COORDINATION_CHOICE, code="coordination_choice")
    reason = (reason or "").strip()
    if len(reason) > COORDINATION_REASON_MAX:
        raise ValidationError(MSG_COORDINATION_REASON_TOO_LONG, code="coordination_reason_too_long")
    if not coordinate and not reason:
        raise ValidationError(MSG_COORDINATION_REASON_REQUIRED, code="coordination_reason_required")
    locked = _lock_open(episode)
    _require_holder(acting_user, locked)
    request = thread_notice_first(locked, rule=CASE_FILES_RULE)
    if locked.coordinate_action_plan is coordinate and (not coordinate or request is not None):
        return EventOutcome(episode=locked, event=None, unchanged=True, case_files_request=request)
    home = locked.person.home_municipality
    if coordinate and request is None and home is not None:
        consent_require(
            locked.person,
            recipient=home,
            category=DataCategory.CASE_FILES,
            purpose=CASE_FILES_PURPOSE,
            acting_user=acting_user,
            override_reason=override_reason,
        )
    now = timezone.now()
    locked.coordinate_action_plan = coordinate
    locked.coordination_reason = reason
    locked.coordination_decided_by = acting_user
    locked.coordination_decided_at = now
    locked.save(
        update_fields=[
            "coordinate_action_plan",
            "coordination_reason",
            "coordination_decided_by",
            "coordination_decided_at",
            "updated_at",
        ]
    )
    event = _record(
        locked,
        EventKind.COORDINATION_DECISION,
        occurred_at=now,
        acting_user=acting_user,
        payload={"coordinate": coordinate, "reason": reason},
    )
    outcome = _finish(
        locked,
        event,
        action="custody.decide_coordination",
        purpose="Handleplanen koordineres med kommunen" if coordinate else "Handleplanen koordineres ikke med kommunen",
        acting_user=acting_user,
    )
    outcome.case_files_request = request or next((n for n in outcome.notifications if n.rule == CASE_FILES_RULE), None)
    return outcome


MSG_CORRECTION_REASON_REQUIRED = "Skriv, hvad der er rettet og hvorfor, fx »Bopælskommunen var forkert registreret«."
MSG_CORRECTION_REASON_TOO_LONG = "Begrundelsen må højst være 1000 tegn."
MSG_NOTHING_CORRECTED = "Rettelsen ændrer ikke bopælskommune, pension eller ydelser. Ret mindst én af dem."
CORRECTION_FIELDS = ("home_municipality", "pension", "benefits")


@transaction.atomic
def episode_correct_person(
    episode: Episode,
    *,
    home_municipality: Organisation | None,
    pension: str,
    benefits: list[str],
    reason: str,
    acting_user,
) -> EventOutcome:
    """Correct the person's home municipality, pension or benefits after admission (they were registered wrong).

    The person is updated (people.services), the correction is a CORRECTION event on the timeline with the
    changed fields and the reason, and notifications reconciles the notices: the recipients the rules name now
    get the notices they should have had, those they no longer name are told that their notice is withdrawn
    and lose access. Nothing is deleted. Only open episodes; a correction that changes nothing is refused.
    """
    _require_krfo(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(MSG_CORRECTION_REASON_REQUIRED, code="correction_reason_required")
    if len(reason) > COORDINATION_REASON_MAX:
        raise ValidationError(MSG_CORRECTION_REASON_TOO_LONG, code="correction_reason_too_long")
    locked = _lock_open(episode)
    _require_holder(acting_user, locked)
    before = locked.person
    previous = {
        "home_municipality": before.home_municipality.code if before.home_municipality_id else None,
        "pension": before.pension,
        "benefits": list(before.benefits or ()),
    }
    person = person_update_situation(
        before,
        home_municipality=home_municipality,
        pension=pension,
        benefits=benefits,
        acting_user=acting_user,
        purpose="Rettelse af personens forhold under forløbet",
    )
    person = Person.objects.select_related("home_municipality").get(pk=person.pk)
    current = {
        "home_municipality": person.home_municipality.code if person.home_municipality_id else None,
        "pension": person.pension,
        "benefits": list(person.benefits or ()),
    }
    changed = [name for name in CORRECTION_FIELDS if previous[name] != current[name]]
    if not changed:
        raise ValidationError(MSG_NOTHING_CORRECTED, code="nothing_corrected")
    locked.person = person
    event = _record(
        locked,
        EventKind.CORRECTION,
        occurred_at=timezone.now(),
        acting_user=acting_user,
        # Codes only (municipality codes, pension and benefit values): no names, CPR or addresses.
        payload={"fields": changed, "before": previous, "after": current, "reason": reason},
    )
    audit_record(
        "custody.correct",
        acting_user=acting_user,
        person=person,
        obj=locked,
        purpose="Rettelse af bopælskommune, pension eller ydelser",
        details={"event": str(event.pk), "fields": changed},
    )
    result = notices_correct(_notice_event(locked, event, acting_user=acting_user, reason=reason))
    return EventOutcome(
        episode=locked, event=event, notifications=list(result), warnings=result.warnings, withdrawn=result.withdrawn
    )


@service_atomic
def admission_register(
    *,
    person: Person | None,
    cpr: str,
    first_name: str = "",
    last_name: str = "",
    address: str = "",
    home_municipality: Organisation | None,
    pension: str,
    benefits: list[str],
    institution: Organisation,
    custody_type: str,
    admitted_at: datetime,
    expected_release: date | None = None,
    certainty: str | None = None,
    sentence_days: int | None = None,
    parole_with_supervision: bool | None = None,
    acting_user,
) -> EventOutcome:
    """The "register admission" form as one business event: the person is created (when `person` is None)
    or their situation updated, then admitted, all in one transaction: any failure leaves nothing behind.

    Raises ValidationError (people's field-keyed dict or custody's single Danish message) and PermissionDenied.
    Its audit events (person, link, episode, notices) are written in one statement at its end (audit_batch).
    """
    with audit_batch():
        return _admission_register(
            person=person,
            cpr=cpr,
            first_name=first_name,
            last_name=last_name,
            address=address,
            home_municipality=home_municipality,
            pension=pension,
            benefits=benefits,
            institution=institution,
            custody_type=custody_type,
            admitted_at=admitted_at,
            expected_release=expected_release,
            certainty=certainty,
            sentence_days=sentence_days,
            parole_with_supervision=parole_with_supervision,
            acting_user=acting_user,
        )


def _admission_register(
    *,
    person,
    cpr,
    first_name,
    last_name,
    address,
    home_municipality,
    pension,
    benefits,
    institution,
    custody_type,
    admitted_at,
    expected_release,
    certainty,
    acting_user,
    sentence_days=None,
    parole_with_supervision=None,
) -> EventOutcome:
    _require_krfo(acting_user)
    registered_now = person is None
    if person is None:
        person = person_register(
            cpr=cpr,
            first_name=first_name,
            last_name=last_name,
            address=address,
            home_municipality=home_municipality,
            pension=pension,
            benefits=benefits,
            acting_user=acting_user,
            purpose="Registrering af klient ved indsættelse",
        )
    else:
        person = person_update_situation(
            person,
            home_municipality=home_municipality,
            pension=pension,
            benefits=benefits,
            address=address,
            acting_user=acting_user,
        )
    return _admit(
        person,
        institution=institution,
        custody_type=custody_type,
        admitted_at=admitted_at,
        expected_release=expected_release,
        certainty=certainty,
        acting_user=acting_user,
        registered_now=registered_now,
        sentence_days=sentence_days,
        parole_with_supervision=parole_with_supervision,
    )


# --- Events reported by a client system (KRFO's, through the API's custody events) -------------------------

# Also for another institution's inmate: an institution does not learn where else a person is held.
MSG_NO_OPEN_EPISODE = (
    "Personen med dette CPR-nummer er ikke indsat i jeres institution (der er ikke noget igangværende forløb, "
    "som I kan indberette til). Indberet indsættelsen først, eller kontrollér CPR-nummeret."
)
MSG_NAME_REQUIRED = "Angiv personens fulde navn (fornavn og efternavn), når personen ikke er kendt i forvejen."
MSG_NAME_SPLIT = "Skriv både fornavn og efternavn, f.eks. »Hans Jensen«."
REPORT_PURPOSE = "Indberetning fra Kriminalforsorgens klientsystem"
UNCHANGED = object()  # a reported field left out: keep what is registered


@dataclass(frozen=True)
class ReportedEvent:
    """One custody event as a client system reports it: the person by CPR number, the event's facts.

    For an admission `institution`, `custody_type`, `home_municipality`, `pension` and `benefits` are needed;
    `address` UNCHANGED keeps a known person's address. A new person needs a name (`name`, or `first_name` and
    `last_name`). For the other kinds the person's open episode is the one it applies to.
    """

    kind: str
    cpr: str
    occurred_at: datetime
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    address: object = UNCHANGED
    home_municipality: Organisation | None = None
    pension: str = ""
    benefits: tuple[str, ...] = ()
    institution: Organisation | None = None
    custody_type: str = ""
    expected_release: date | None = None
    certainty: str | None = None
    release_kind: str = ""
    address_after: str = ""


def split_name(*, name: str = "", first_name: str = "", last_name: str = "") -> tuple[str, str]:
    """(first names, last name): explicit first_name/last_name win; else "Last, First" or "First ... Last"."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if first or last:
        return first, last
    name = " ".join((name or "").split())
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    first, _, last = name.rpartition(" ")
    return first, last


@service_atomic
def custody_event_apply(report: ReportedEvent, *, acting_user) -> EventOutcome:
    """Register an event a client system reports, through the same services (and the same audited CPR search)
    as the pages: an admission creates or updates the person and admits them; the other kinds apply to the
    person's open episode. Raises ValidationError with the services' codes, plus no_open_episode and
    name_required.

    The audit events of the whole event (the CPR search, the person, the links, the episode, the notices) are
    written in one statement at its end (audit_batch), in its transaction."""
    with audit_batch():
        return _apply(report, acting_user=acting_user)


def _apply(report: ReportedEvent, *, acting_user) -> EventOutcome:
    # The register search finds any known person (no duplicate on admission); what the system may then do with
    # them is the holder rule's: an event for another institution's inmate is answered as "not found".
    person = person_search_by_cpr(acting_user, report.cpr, purpose=REPORT_PURPOSE, action="register")
    if report.kind == EventKind.ADMISSION:
        first_name = last_name = ""
        if person is None:
            first_name, last_name = split_name(
                name=report.name, first_name=report.first_name, last_name=report.last_name
            )
            if not first_name or not last_name:
                message = MSG_NAME_SPLIT if (first_name or last_name) else MSG_NAME_REQUIRED
                raise ValidationError(message, code="name_required")
        return admission_register(
            person=person,
            cpr=report.cpr,
            first_name=first_name,
            last_name=last_name,
            address=None if report.address is UNCHANGED else report.address,
            home_municipality=report.home_municipality,
            pension=report.pension,
            benefits=list(report.benefits),
            institution=report.institution,
            custody_type=report.custody_type,
            admitted_at=report.occurred_at,
            expected_release=report.expected_release,
            certainty=report.certainty,
            acting_user=acting_user,
        )
    episode = (
        Episode.objects.select_related("institution").filter(person=person, status=EpisodeStatus.OPEN).first()
        if person is not None
        else None
    )
    receiving = report.institution if report.kind == EventKind.TRANSFER else None
    if episode is None or not _may_register_for(acting_user, episode, receiving=receiving):
        raise ValidationError(MSG_NO_OPEN_EPISODE, code="no_open_episode")
    if report.kind == EventKind.CONVERSION:
        return episode_convert_to_sentence(episode, occurred_at=report.occurred_at, acting_user=acting_user)
    if report.kind == EventKind.TRANSFER:
        return episode_transfer(
            episode, to_institution=report.institution, occurred_at=report.occurred_at, acting_user=acting_user
        )
    if report.kind == EventKind.RELEASE_DATE_CHANGE:
        return episode_change_release_date(
            episode,
            expected_release=report.expected_release,
            certainty=report.certainty,
            occurred_at=report.occurred_at,
            acting_user=acting_user,
        )
    if report.kind == EventKind.RELEASE:
        return episode_release(
            episode,
            released_at=report.occurred_at,
            release_kind=report.release_kind,
            address_after=report.address_after,
            acting_user=acting_user,
        )
    raise ValidationError(MSG_NOT_ALLOWED, code="kind")
