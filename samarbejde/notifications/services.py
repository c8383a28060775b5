"""Writes for notifications: creating the notices of a custody event, and the recipient's steps.

`notifications_create_for` runs inside the custody service's transaction, so a rolled-back event leaves
no notice, link or audit event. The recipient's steps (read, acknowledge, answer) lock the notice row
and are idempotent: repeating one changes nothing and raises nothing.
"""

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.custody.models import Episode, EpisodeEvent, EventKind
from samarbejde.delivery import services as delivery_services
from samarbejde.legal.models import Paragraph
from samarbejde.legal.selectors import paragraph_by_citation
from samarbejde.notifications import attachments, reminders, rules
from samarbejde.notifications.models import (
    DECISION_SUBJECTS,
    BenefitDecision,
    DecisionCode,
    Notification,
    NotificationAnswer,
    NotificationAttachment,
    NotificationKind,
    NotificationReminder,
    NotificationStatus,
    NotificationStatusChange,
    ReminderKind,
)
from samarbejde.notifications.status import notification_status_on, overdue_q, unsettled_q
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.models import Contact, ContactFunction, Department, Membership, Organisation
from samarbejde.organisations.roles import KRFO_KINDS, Role
from samarbejde.people.models import LinkReason
from samarbejde.people.services import person_link_open

# Warnings: returned (never raised) so the UI can tell the user what was not sent.
WARN_UNKNOWN_HOME_MUNICIPALITY = (
    "Personens bopælskommune er ukendt, så kommunen er ikke underrettet. "
    "Registrér bopælskommunen, og send underretningen, når den kendes."
)
WARN_RECIPIENT_MISSING = "Modtageren %(code)s findes ikke i systemet; underretningen er ikke sendt."

MSG_LEGAL_BASIS_MISSING = (
    "Retsgrundlaget %(citation)s mangler i kataloget over retsgrundlag. Kontakt en administrator; intet er gemt."
)
MSG_NOT_RECIPIENT = "Kun modtagerens medarbejdere kan kvittere for eller besvare underretningen."
MSG_NOT_ANSWERABLE = "Denne type underretning besvares ikke; kvittér for modtagelsen i stedet."
MSG_DECISIONS_FORMAT = "Afgørelserne skal angives pr. ydelse."
MSG_UNKNOWN_SUBJECT = "Underretningen handler ikke om %(subject)s."
MSG_DECISION_MISSING = "Angiv en afgørelse for hver ydelse. Mangler: %(missing)s."
MSG_DECISION_CODE = "Vælg en afgørelse for %(subject)s."
MSG_DECISION_TEXT_REQUIRED = "Uddyb afgørelsen for %(subject)s, når du vælger »Anden afgørelse«."
MSG_DECISION_TEXT_TOO_LONG = "Uddybningen for %(subject)s må højst være 500 tegn."
MSG_DECISION_DATE = "Datoen for %(subject)s er ikke en gyldig dato (åååå-mm-dd)."
MSG_ANSWER_EMPTY = "Skriv en afgørelse eller en bemærkning, før du sender svaret."
MSG_ANSWER_TOO_LONG = "Bemærkningen må højst være 4000 tegn."

MSG_FILES_NOT_ALLOWED = "Der kan kun vedhæftes filer til svar på en anmodning om sagsakter."
MSG_CASE_FILES_ANSWER_EMPTY = "Skriv et svar, eller vedhæft sagsakterne, før du sender svaret."

CASE_FILES_REQUEST_TEXT = (
    "Kriminalforsorgen koordinerer handleplanen med kommunen og beder om kommunens sagsakter om personen: "
    "kommunens handleplan (serviceloven § 141) og oplysninger om bolig, forsørgelse, beskæftigelse, "
    "misbrugsbehandling og andre indsatser, der er relevante for planen."
)

ANSWER_TEXT_MAX = 4000
DECISION_TEXT_MAX = 500
SUBJECT_LABELS = dict(DECISION_SUBJECTS)


class NotificationList(list):
    """The notices created for an event, plus `warnings`: Danish messages about notices not sent."""

    def __init__(self, notifications=(), warnings=()):
        super().__init__(notifications)
        self.warnings: list[str] = list(warnings)


# --- creating -------------------------------------------------------------------------------------------


def _local_date(value: datetime) -> date:
    return timezone.localtime(value).date()


def situation_for(episode: Episode, event: EpisodeEvent) -> rules.PersonSituation:
    """The rules' view of the person and the stay at this event (no query: uses loaded relations)."""
    person = episode.person
    admitted = _local_date(episode.admitted_at)
    if event.kind == EventKind.RELEASE and episode.released_at is not None:
        stay_days = (_local_date(episode.released_at) - admitted).days
    elif episode.expected_release_date is not None:
        stay_days = (episode.expected_release_date - admitted).days
    else:
        stay_days = None
    return rules.PersonSituation(
        home_municipality_code=person.home_municipality.code if person.home_municipality_id else None,
        pension=person.pension,
        benefits=tuple(person.benefits or ()),
        stay_days=stay_days,
        coordinate_action_plan=episode.coordinate_action_plan,
    )


def _already_notified(episode: Episode) -> list[rules.Notified]:
    rows = (
        Notification.objects.filter(episode=episode)
        .order_by("created_at")
        .values_list(
            "recipient_organisation__code",
            "recipient_department__kind",
            "kind",
            "legal_basis__act__short_name",
            "legal_basis__reference",
        )
    )
    return [rules.Notified(code, dept, kind, (act, ref)) for code, dept, kind, act, ref in rows]


def _paragraphs(citations: set[rules.LegalBasis]) -> dict[rules.LegalBasis, Paragraph]:
    found = {}
    for citation in sorted(citations):
        try:
            found[citation] = paragraph_by_citation(*citation)
        except Paragraph.DoesNotExist:
            label = f"{citation[0]} {citation[1]}".strip()
            raise ValidationError(MSG_LEGAL_BASIS_MISSING, code="legal_basis_missing", params={"citation": label})
    return found


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _institution(org: Organisation | None) -> dict:
    if org is None:
        return {}
    return {"name": org.display_name, "address": org.address, "phone": org.phone, "email": org.email}


@dataclass
class _Context:
    episode: Episode
    event: EpisodeEvent
    krfo_contact: Contact | None = None


def snapshot_for(recipient: rules.Recipient, ctx: _Context) -> dict:
    """Only what this recipient needs (data minimisation): the CPR register gets CPR, name and time of
    admission; Udbetaling Danmark the pension facts; the municipality what it must decide on."""
    episode, event, person = ctx.episode, ctx.event, ctx.episode.person
    kind = recipient.notification_kind
    data: dict = {"cpr": person.cpr, "name": person.full_name}
    if kind == NotificationKind.CPR_REGISTER_NOTICE:
        data["admitted_at"] = _iso(episode.admitted_at)
        return data
    data["custody_type"] = episode.custody_type
    data["institution"] = _institution(episode.institution)
    data["admitted_at"] = _iso(episode.admitted_at)
    if kind == NotificationKind.BENEFITS_DECISION_REQUEST:
        data["benefits"] = list(recipient.benefits)
    if kind in (NotificationKind.BENEFITS_DECISION_REQUEST, NotificationKind.PENSION_NOTICE):
        data["expected_release_date"] = _iso(episode.expected_release_date)
        data["release_certainty"] = episode.release_certainty
    if kind == NotificationKind.PENSION_NOTICE:
        data["pension"] = person.pension
    if kind == NotificationKind.TRANSFER_NOTICE:
        data["transferred_at"] = _iso(event.occurred_at)
        data["from_institution"] = {"name": event.from_institution.display_name} if event.from_institution else {}
        contact = ctx.krfo_contact
        data["contact"] = (
            {
                "unit_name": contact.unit_name,
                "person_name": contact.person_name,
                "phone": contact.phone,
                "secure_mailbox": contact.secure_mailbox,
            }
            if contact
            else {}
        )
    if kind == NotificationKind.RELEASE_DATE_CHANGE_NOTICE:
        data["previous_release_date"] = event.payload.get("previous_release_date")
        data["expected_release_date"] = _iso(episode.expected_release_date)
        data["release_certainty"] = episode.release_certainty
    if kind == NotificationKind.CASE_FILES_REQUEST:
        data["expected_release_date"] = _iso(episode.expected_release_date)
        data["release_certainty"] = episode.release_certainty
        data["request"] = CASE_FILES_REQUEST_TEXT
        requester = event.acting_user if getattr(event, "acting_user_id", None) else None
        data["requested_by"] = (
            {"name": requester.display_name, "institution": episode.institution.display_name} if requester else {}
        )
    if kind == NotificationKind.RELEASE_NOTICE:
        data["released_at"] = _iso(episode.released_at)
        data["release_kind"] = episode.release_kind
        data["address_after_release"] = episode.address_after_release
        if recipient.organisation_code == rules.UDBETALING_DANMARK_CODE or recipient.department_kind == (
            rules.PENSION_DEPARTMENT
        ):
            data["pension"] = person.pension
    return data


@transaction.atomic
def notifications_create_for(event: EpisodeEvent, *, acting_user) -> NotificationList:
    """Create the notices an episode event calls for (rules.recipients_for), with a live PersonLink for
    each recipient and an audit event per notice. Returns them; `.warnings` says what could not be sent
    (e.g. unknown home municipality). Never raises for a missing recipient; raises ValidationError only
    when a cited legal basis is missing from the catalogue (then the whole event rolls back)."""
    episode = (
        Episode.objects.select_related("person__home_municipality", "institution").get(pk=event.episode_id)
        if not _is_loaded(event)
        else event.episode
    )
    situation = situation_for(episode, event)
    already = [] if event.kind == EventKind.ADMISSION else _already_notified(episode)
    recipients = rules.recipients_for(event.kind, situation, already_notified=already)
    warnings: list[str] = []
    if any(r.organisation_code is None for r in recipients):
        warnings.append(WARN_UNKNOWN_HOME_MUNICIPALITY)
    recipients = [r for r in recipients if r.organisation_code is not None]
    if not recipients:
        return NotificationList([], warnings)

    codes = {r.organisation_code for r in recipients}
    organisations = {org.code: org for org in Organisation.objects.filter(code__in=codes, is_active=True)}
    for code in sorted(codes - organisations.keys()):
        warnings.append(WARN_RECIPIENT_MISSING % {"code": code})
    recipients = [r for r in recipients if r.organisation_code in organisations]
    departments = {
        (dept.organisation_id, dept.kind): dept
        for dept in Department.objects.filter(
            organisation__in=organisations.values(),
            kind__in={r.department_kind for r in recipients if r.department_kind},
        )
    }
    paragraphs = _paragraphs({r.legal_basis for r in recipients})
    ctx = _Context(episode=episode, event=event)
    if event.kind == EventKind.TRANSFER and episode.person.home_municipality_id:
        ctx.krfo_contact = (
            Contact.objects.filter(
                organisation=episode.institution,
                function=ContactFunction.KRFO_CONTACT,
                covers=episode.person.home_municipality_id,
            )
            .order_by("sort_order")
            .first()
        )

    today = timezone.localdate()
    start = _local_date(event.occurred_at)
    now = timezone.now()
    notifications = []
    for recipient in recipients:
        organisation = organisations[recipient.organisation_code]
        due_date = recipient.deadline.due_from(start) if recipient.deadline else None
        notification = Notification(
            recipient_organisation=organisation,
            recipient_department=departments.get((organisation.pk, recipient.department_kind)),
            kind=recipient.notification_kind,
            event=event,
            episode=episode,
            person=episode.person,
            snapshot=snapshot_for(recipient, ctx),
            legal_basis=paragraphs[recipient.legal_basis],
            due_date=due_date,
        )
        # Registered late (e.g. an admission entered after its deadline): overdue from the start.
        notification.status = notification_status_on(notification, today)
        notifications.append(notification)
    Notification.objects.bulk_create(notifications)
    NotificationStatusChange.objects.bulk_create(
        [
            NotificationStatusChange(
                notification=n,
                from_status="",
                to_status=n.status,
                changed_at=now,
                acting_user=_user_or_none(acting_user),
            )
            for n in notifications
        ]
    )
    for notification in notifications:
        person_link_open(
            episode.person,
            organisation=notification.recipient_organisation,
            department=notification.recipient_department,
            reason=LinkReason.NOTIFICATION,
            source=notification,
            acting_user=acting_user,
        )
        audit_record(
            "notifications.create",
            acting_user=acting_user,
            person=episode.person,
            obj=notification,
            purpose=f"{notification.get_kind_display()} til {notification.recipient_organisation.display_name}",
            details={"kind": notification.kind, "event": str(event.pk)},
        )
    delivery_services.deliveries_create_for(*notifications)
    return NotificationList(notifications, warnings)


def _is_loaded(event: EpisodeEvent) -> bool:
    """True when event.episode (with person and institution) is already in memory."""
    episode = event._state.fields_cache.get("episode")
    return (
        episode is not None
        and "person" in episode._state.fields_cache
        and "institution" in (episode._state.fields_cache)
    )


def _user_or_none(user):
    return user if user is not None and getattr(user, "pk", None) else None


# --- the recipient's steps ------------------------------------------------------------------------------


def _is_recipient(user, notification: Notification) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.organisation_id == notification.recipient_organisation_id


def _lock(notification: Notification) -> Notification:
    return (
        Notification.objects.select_for_update()
        .select_related("recipient_organisation", "person")
        .get(pk=notification.pk)
    )


def _set_status(notification: Notification, *, acting_user, now: datetime) -> None:
    """Recompute the stored status; write a history row when it changes. Caller saves the notice."""
    new_status = notification_status_on(notification, timezone.localdate(now))
    if new_status != notification.status:
        NotificationStatusChange.objects.create(
            notification=notification,
            from_status=notification.status,
            to_status=new_status,
            changed_at=now,
            acting_user=_user_or_none(acting_user),
        )
        notification.status = new_status


@transaction.atomic
def notification_mark_read(notification: Notification, *, acting_user) -> Notification:
    """Someone opened the notice: always an audited read; the first open by the recipient marks it read."""
    locked = _lock(notification)
    if _is_recipient(acting_user, locked) and locked.read_at is None:
        now = timezone.now()
        locked.read_at = now
        _set_status(locked, acting_user=acting_user, now=now)
        locked.save(update_fields=["read_at", "status", "updated_at"])
    audit_record(
        "notifications.read",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Læst: {locked.get_kind_display()}",
    )
    return locked


@transaction.atomic
def notification_acknowledge(notification: Notification, *, acting_user) -> Notification:
    """The recipient confirms receipt. Acknowledging twice (or at once from two users) changes nothing."""
    if not _is_recipient(acting_user, notification):
        raise PermissionDenied(MSG_NOT_RECIPIENT)
    locked = _lock(notification)
    if locked.acknowledged_at is not None:
        return locked
    now = timezone.now()
    locked.acknowledged_at = now
    locked.acknowledged_by = acting_user
    locked.read_at = locked.read_at or now
    _set_status(locked, acting_user=acting_user, now=now)
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "read_at", "status", "updated_at"])
    audit_record(
        "notifications.acknowledge",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Kvitteret: {locked.get_kind_display()}",
    )
    return locked


def _parse_date(value, subject: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(MSG_DECISION_DATE, code="decision_date", params={"subject": subject})
    if not (1990 <= value.year <= 2100):
        raise ValidationError(MSG_DECISION_DATE, code="decision_date", params={"subject": subject})
    return value


def _allowed_subjects(notification: Notification) -> list[str]:
    if notification.kind == NotificationKind.BENEFITS_DECISION_REQUEST:
        return list(notification.snapshot.get("benefits") or [])
    if notification.kind == NotificationKind.PENSION_NOTICE:
        pension = notification.snapshot.get("pension")
        return [pension] if pension in SUBJECT_LABELS else []
    return []


def _clean_decisions(notification: Notification, decisions) -> list[BenefitDecision]:
    if decisions is None:
        decisions = {}
    if not isinstance(decisions, dict):
        raise ValidationError(MSG_DECISIONS_FORMAT, code="decisions_format")
    allowed = _allowed_subjects(notification)
    cleaned = []
    for subject, decision in decisions.items():
        label = SUBJECT_LABELS.get(subject, str(subject)[:40]).lower()
        if subject not in allowed:
            raise ValidationError(MSG_UNKNOWN_SUBJECT, code="unknown_subject", params={"subject": label})
        if not isinstance(decision, dict):
            raise ValidationError(MSG_DECISIONS_FORMAT, code="decisions_format")
        code = decision.get("code")
        if code not in DecisionCode.values:
            raise ValidationError(MSG_DECISION_CODE, code="decision_code", params={"subject": label})
        text = str(decision.get("text") or "").strip()
        if code == DecisionCode.OTHER and not text:
            raise ValidationError(MSG_DECISION_TEXT_REQUIRED, code="decision_text", params={"subject": label})
        if len(text) > DECISION_TEXT_MAX:
            raise ValidationError(MSG_DECISION_TEXT_TOO_LONG, code="decision_text_long", params={"subject": label})
        cleaned.append(
            BenefitDecision(
                subject=subject, code=code, text=text, effective_date=_parse_date(decision.get("effective_date"), label)
            )
        )
    if notification.kind == NotificationKind.BENEFITS_DECISION_REQUEST:
        missing = [SUBJECT_LABELS[b].lower() for b in allowed if b not in decisions]
        if missing:
            raise ValidationError(MSG_DECISION_MISSING, code="decision_missing", params={"missing": ", ".join(missing)})
    # Canonical order, whatever order the form sent.
    order = {value: index for index, value in enumerate(SUBJECT_LABELS)}
    return sorted(cleaned, key=lambda d: order.get(d.subject, 99))


def notification_answer(
    notification: Notification,
    *,
    decisions: dict | None = None,
    text: str = "",
    files: Sequence = (),
    acting_user,
) -> NotificationAnswer:
    """The recipient's answer: a decision per benefit (or on the pension) plus free text; for a request for
    case files, free text and/or files.

    `decisions` maps a Benefit/PensionKind value to {"code": DecisionCode, "text": str, "effective_date":
    date | "YYYY-MM-DD" | None}. For a benefits request every listed benefit needs a decision. `files` are
    uploaded files (notifications.attachments checks type, content, size and number): all of them are
    checked before anything is written, so one bad file stores no answer and no file; a file stored before
    a later failure is deleted again. A second answer (also a concurrent one) returns the first and
    changes nothing (its files are not stored).
    """
    written: list[str] = []  # files on disk so far; deleted again unless the answer's transaction commits
    try:
        return _answer(
            notification, decisions=decisions, text=text, files=files, acting_user=acting_user, written=written
        )
    except BaseException:
        _delete_stored(written)
        raise


@transaction.atomic
def _answer(notification: Notification, *, decisions, text, files, acting_user, written: list[str]):
    if not _is_recipient(acting_user, notification):
        raise PermissionDenied(MSG_NOT_RECIPIENT)
    locked = _lock(notification)
    existing = NotificationAnswer.objects.filter(notification=locked).first()
    if existing is not None:
        return existing
    if not locked.needs_answer:
        raise ValidationError(MSG_NOT_ANSWERABLE, code="not_answerable")
    text = (text or "").strip()
    if len(text) > ANSWER_TEXT_MAX:
        raise ValidationError(MSG_ANSWER_TOO_LONG, code="answer_too_long")
    files = [f for f in files or () if f is not None]
    if files and locked.kind != NotificationKind.CASE_FILES_REQUEST:
        raise ValidationError(MSG_FILES_NOT_ALLOWED, code="files_not_allowed")
    checked = attachments.check_files(files)
    cleaned = _clean_decisions(locked, decisions)
    if not cleaned and not text and not checked:
        if locked.kind == NotificationKind.CASE_FILES_REQUEST:
            raise ValidationError(MSG_CASE_FILES_ANSWER_EMPTY, code="answer_empty")
        raise ValidationError(MSG_ANSWER_EMPTY, code="answer_empty")
    now = timezone.now()
    answer = NotificationAnswer.objects.create(notification=locked, text=text, answered_by=acting_user, answered_at=now)
    for decision in cleaned:
        decision.answer = answer
    BenefitDecision.objects.bulk_create(cleaned)
    stored = _store_attachments(locked, checked, acting_user=acting_user, now=now, names=written)
    locked.answered_at = now
    locked.read_at = locked.read_at or now
    if locked.acknowledged_at is None:
        locked.acknowledged_at = now
        locked.acknowledged_by = acting_user
    _set_status(locked, acting_user=acting_user, now=now)
    locked.save(update_fields=["answered_at", "read_at", "acknowledged_at", "acknowledged_by", "status", "updated_at"])
    audit_record(
        "notifications.answer",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Besvaret: {locked.get_kind_display()}",
        details={
            "answer": str(answer.pk),
            "decisions": [d.subject for d in cleaned],
            "attachments": [str(a.pk) for a in stored],
        },
    )
    return answer


def _delete_stored(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # best effort; attachments_remove_orphans catches the rest
            default_storage.delete(name)


def _store_attachments(
    notification: Notification, checked, *, acting_user, now, names: list[str]
) -> list[NotificationAttachment]:
    """Write the checked files and their rows; each written file's name goes to `names` at once, so that
    notification_answer can delete them if anything fails before its transaction commits."""
    rows: list[NotificationAttachment] = []
    for item in checked:
        row = NotificationAttachment(
            notification=notification,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            uploaded_by=acting_user,
            uploaded_at=now,
        )
        item.upload.seek(0)
        row.file.save(f"bilag.{item.extension}", item.upload, save=False)
        names.append(row.file.name)
        rows.append(row)
    NotificationAttachment.objects.bulk_create(rows)
    return rows


def attachments_remove_orphans(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete stored files under attachments/ that no NotificationAttachment row refers to (left by a
    transaction rolled back around notification_answer, or a crash between writing and commit). Only files
    older than `older_than`, so a file of an answer being saved right now is never touched. Returns the count."""
    from django.utils import timezone as tz

    cutoff = tz.now() - older_than
    known = set(NotificationAttachment.objects.values_list("file", flat=True))
    removed = 0
    try:
        folders = default_storage.listdir("attachments")[0]
    except FileNotFoundError:
        return 0
    for folder in folders:
        for filename in default_storage.listdir(f"attachments/{folder}")[1]:
            name = f"attachments/{folder}/{filename}"
            if name not in known and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                removed += 1
    return removed


@transaction.atomic
def notifications_mark_overdue(today: date | None = None, *, acting_user=None) -> int:
    """Store status 'overdue' on every unsettled notice past its due date (for the periodic task).

    Rows another worker holds are skipped (picked up next run). Returns how many changed.
    """
    today = today or timezone.localdate()
    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(overdue_q(today))
        .exclude(status=NotificationStatus.OVERDUE)
        .values_list("pk", "status")
    )
    if not rows:
        return 0
    now = timezone.now()
    Notification.objects.filter(pk__in=[pk for pk, _ in rows]).update(status=NotificationStatus.OVERDUE, updated_at=now)
    NotificationStatusChange.objects.bulk_create(
        [
            NotificationStatusChange(
                notification_id=pk, from_status=status, to_status=NotificationStatus.OVERDUE, changed_at=now
            )
            for pk, status in rows
        ]
    )
    audit_record(
        "notifications.mark_overdue",
        acting_user=acting_user,
        purpose="Frist overskredet",
        details={"count": len(rows), "date": today.isoformat()},
    )
    return len(rows)


MSG_ASSIGNEE_NOT_MEMBER = "Vælg en kollega med en aktiv tilknytning til %(organisation)s."


@transaction.atomic
def notification_assign(notification: Notification, *, assignee, acting_user) -> Notification:
    """Give the notice to a colleague in the recipient organisation (or to nobody: `assignee=None`).

    Only the recipient's staff may assign, and only to someone with an active membership of the
    recipient organisation. Assigning to the current assignee changes nothing and writes no audit event.
    """
    from samarbejde.organisations.models import Membership

    if not _is_recipient(acting_user, notification):
        raise PermissionDenied(MSG_NOT_RECIPIENT)
    locked = _lock(notification)
    if assignee is not None and not (
        Membership.objects.active().filter(user=assignee, organisation_id=locked.recipient_organisation_id).exists()
    ):
        raise ValidationError(
            MSG_ASSIGNEE_NOT_MEMBER,
            code="assignee_not_member",
            params={"organisation": locked.recipient_organisation.display_name},
        )
    new_id = assignee.pk if assignee is not None else None
    if locked.assigned_to_id == new_id:
        return locked
    previous_id = locked.assigned_to_id
    locked.assigned_to = assignee
    locked.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        "notifications.assign",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=(
            f"Tildelt {assignee.display_name}: {locked.get_kind_display()}"
            if assignee is not None
            else f"Tildeling fjernet: {locked.get_kind_display()}"
        ),
        details={"assignee": str(new_id) if new_id else None, "previous": str(previous_id) if previous_id else None},
    )
    return locked


# --- The deadline sweep (run by notifications.tasks.notifications_deadline_sweep) ---------------------
# Mark overdue notices, then record each due reminder and escalation (rules in notifications.reminders)
# as in-app NotificationReminder rows with one audit event per notice. Idempotent: what was sent is
# recorded and never sent again, and unique constraints back that up.


@dataclass
class SweepResult:
    overdue: int = 0  # notices newly marked overdue
    reminded: int = 0  # notices that got their reminder
    escalated: int = 0  # notices that got their escalation
    rows: int = 0  # reminder rows written (one per addressee)


def _candidates(today: date, window_end: date):
    """Unsettled notices that may need a reminder or escalation now (reminders.actions_due decides)."""
    sent = NotificationReminder.objects.filter(notification=OuterRef("pk"))
    escalated = Exists(sent.filter(kind=ReminderKind.ESCALATION))
    reminded = Exists(sent.filter(kind=ReminderKind.REMINDER))
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(unsettled_q(), due_date__isnull=False, due_date__lte=window_end)
        .exclude(escalated)
        .exclude(Q(due_date__gte=today) & reminded)
        .select_related("person", "episode", "event")
        .order_by("due_date", "pk")
    )


def _coordinators(organisation_ids) -> dict:
    by_org = defaultdict(list)
    rows = Membership.objects.active().filter(organisation_id__in=organisation_ids, role=Role.MUNICIPAL_COORDINATOR)
    for organisation_id, user_id in rows.values_list("organisation_id", "user_id"):
        by_org[organisation_id].append(user_id)
    return by_org


def _krfo_organisations(user_ids) -> dict:
    """Each user's active KRFO organisations (to address the escalation within the right one)."""
    by_user = defaultdict(list)
    rows = Membership.objects.active().filter(user_id__in=user_ids, organisation__kind__in=KRFO_KINDS)
    for user_id, organisation_id in rows.order_by("created_at").values_list("user_id", "organisation_id"):
        by_user[user_id].append(organisation_id)
    return by_user


def _krfo_addressee(notice: Notification, krfo_orgs: dict) -> tuple:
    """(user id, organisation id) of the KRFO case worker behind the notice's event.

    The user's membership in the episode's institution if they have one, else their first KRFO one;
    no user (or none left in KRFO): the institution itself.
    """
    institution_id = notice.episode.institution_id
    user_id = notice.event.acting_user_id
    orgs = krfo_orgs.get(user_id, []) if user_id else []
    if not orgs:
        return None, institution_id
    return user_id, institution_id if institution_id in orgs else orgs[0]


@transaction.atomic
def deadline_sweep(today: date | None = None, *, business_days: int | None = None) -> SweepResult:
    """Mark overdue, remind and escalate as of `today` (default: today in Danish time). Idempotent."""
    today = today or timezone.localdate()
    if business_days is None:
        business_days = reminders.reminder_business_days()
    result = SweepResult(overdue=notifications_mark_overdue(today))
    window_end = reminders.reminder_window_end(today, business_days)
    notices = list(_candidates(today, window_end))
    if not notices:
        return result
    already = defaultdict(set)
    for notification_id, kind in NotificationReminder.objects.filter(notification__in=notices).values_list(
        "notification_id", "kind"
    ):
        already[notification_id].add(kind)
    due = {
        notice.pk: reminders.actions_due(
            today,
            kind=notice.kind,
            due_date=notice.due_date,
            acknowledged_at=notice.acknowledged_at,
            answered_at=notice.answered_at,
            already_sent=already[notice.pk],
            business_days=business_days,
        )
        for notice in notices
    }
    escalating = [n for n in notices if ReminderKind.ESCALATION in due[n.pk]]
    coordinators = _coordinators({n.recipient_organisation_id for n in escalating})
    krfo_orgs = _krfo_organisations({n.event.acting_user_id for n in escalating if n.event.acting_user_id})

    now = timezone.now()
    rows: list[NotificationReminder] = []
    audits: list[tuple[str, Notification, list[reminders.Addressee]]] = []
    for notice in notices:
        for kind in due[notice.pk]:
            if kind == ReminderKind.REMINDER:
                addressees = reminders.reminder_addressees(
                    organisation_id=notice.recipient_organisation_id,
                    department_id=notice.recipient_department_id,
                    assigned_user_id=getattr(notice, "assigned_to_id", None),
                )
                result.reminded += 1
            else:
                krfo_user_id, krfo_org_id = _krfo_addressee(notice, krfo_orgs)
                addressees = reminders.escalation_addressees(
                    recipient_organisation_id=notice.recipient_organisation_id,
                    coordinator_user_ids=coordinators.get(notice.recipient_organisation_id, ()),
                    krfo_user_id=krfo_user_id,
                    krfo_organisation_id=krfo_org_id,
                )
                result.escalated += 1
            rows += [
                NotificationReminder(
                    notification=notice,
                    kind=kind,
                    recipient_organisation_id=a.organisation_id,
                    recipient_department_id=a.department_id,
                    recipient_user_id=a.user_id,
                    due_date=notice.due_date,
                    sent_at=now,
                )
                for a in addressees
            ]
            audits.append((kind, notice, addressees))
    # ignore_conflicts: a concurrent sweep that got there first (the unique constraints) is not an error.
    NotificationReminder.objects.bulk_create(rows, ignore_conflicts=True)
    result.rows = len(rows)
    for kind, notice, addressees in audits:
        escalation = kind == ReminderKind.ESCALATION
        audit_record(
            "notifications.escalate" if escalation else "notifications.remind",
            acting_user=None,
            person=notice.person,
            obj=notice,
            purpose=(
                f"Eskalering: fristen {notice.due_date:%d.%m.%Y} er overskredet"
                if escalation
                else f"Påmindelse: fristen er {notice.due_date:%d.%m.%Y}"
            ),
            details={
                "kind": notice.kind,
                "due_date": notice.due_date.isoformat(),
                "users": [str(a.user_id) for a in addressees if a.user_id is not None],
                "organisations": sorted({str(a.organisation_id) for a in addressees}),
            },
        )
    return result
