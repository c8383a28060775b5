"""Writes for notifications: sending the notices an event calls for, correcting and withdrawing them, the
recipient's steps (read, acknowledge, assign, answer) and the deadline sweep.

notices_send / notices_correct run inside the sending app's transaction (custody's services today), so an
event that rolls back leaves no notice, link, delivery or audit event. The recipient's steps lock the notice
row and are idempotent: repeating one changes nothing and raises nothing. Every rule of a notice kind is read
from notifications.registry; who gets what is notifications.rules; which unit is notifications.routing.
"""

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.audit.services import audit_record, audit_record_many
from samarbejde.core.transactions import service_atomic
from samarbejde.delivery import services as delivery_services
from samarbejde.legal.selectors import paragraphs_by_key
from samarbejde.notifications import answers, reminders, routing, rules
from samarbejde.notifications import registry as R
from samarbejde.notifications.answers import (  # noqa: F401 - the messages callers and tests assert against
    ANSWER_TEXT_MAX,
    DECISION_TEXT_MAX,
    MSG_ANSWER_EMPTY,
    MSG_ANSWER_TOO_LONG,
    MSG_CASE_FILES_ANSWER_EMPTY,
    MSG_DECISION_CODE,
    MSG_DECISION_DATE,
    MSG_DECISION_TEXT_REQUIRED,
    MSG_DECISION_TEXT_TOO_LONG,
    MSG_DECISIONS_FORMAT,
    MSG_FILES_NOT_ALLOWED,
    MSG_NOT_ANSWERABLE,
    MSG_UNKNOWN_SUBJECT,
)
from samarbejde.notifications.events import NoticeEvent
from samarbejde.notifications.models import (
    BenefitDecision,
    Notification,
    NotificationAnswer,
    NotificationAttachment,
    NotificationReminder,
    NotificationStatus,
    NotificationStatusChange,
    ReminderKind,
)
from samarbejde.notifications.registry import SUBJECT_LABELS
from samarbejde.notifications.status import (
    DORMANT_BASE,
    dormant_after,
    notification_status_on,
    overdue_q,
    settled_at,
    unsettled_q,
)
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.models import Membership, Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.selectors import krfo_contacts_of
from samarbejde.people import link_rules
from samarbejde.people.models import LinkReason
from samarbejde.people.services import (
    LinkEnd,
    LinkOpening,
    person_links_close_for_source,
    person_links_end,
    person_links_open,
)

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
MSG_WITHDRAW_NOT_ALLOWED = "Kun Kriminalforsorgens sagsbehandlere kan trække en underretning tilbage."
MSG_WITHDRAW_ANSWERED = (
    "Underretningen er besvaret og kan ikke trækkes tilbage. Er den sendt til den forkerte kommune, så ret "
    "personens bopælskommune på forløbet: så får den rigtige kommune besked, og den forkerte mister adgangen."
)
MSG_WITHDRAW_REASON_REQUIRED = "Skriv en begrundelse for, at underretningen trækkes tilbage."
MSG_WITHDRAW_REASON_TOO_LONG = "Begrundelsen må højst være 1000 tegn."
MSG_ALREADY_WITHDRAWN = "Underretningen er allerede trukket tilbage."
WITHDRAW_REASON_MAX = 1000

# Kept for callers that name the text; the registry entry is its home.
CASE_FILES_REQUEST_TEXT = R.CASE_FILES_REQUEST_TEXT


class NotificationList(list):
    """The notices created for an event, plus `warnings` (Danish messages about notices not sent) and, for a
    correction, `withdrawn` (the notices it withdrew)."""

    def __init__(self, notifications=(), warnings=(), withdrawn=()):
        super().__init__(notifications)
        self.warnings: list[str] = list(warnings)
        self.withdrawn: list[Notification] = list(withdrawn)


def _user_or_none(user):
    return user if user is not None and getattr(user, "pk", None) else None


def _content_type(obj) -> ContentType:
    return ContentType.objects.get_for_model(obj)


def thread_notices(thread, *, live_only: bool = True):
    """The notices of a thread, oldest first (unscoped: for the services; pages use selectors)."""
    qs = Notification.objects.filter(thread_type=_content_type(thread), thread_id=thread.pk)
    if live_only:
        qs = qs.filter(withdrawn_at__isnull=True)
    return qs.order_by("created_at", "id")


def _already_notified(thread) -> list[rules.Notified]:
    rows = thread_notices(thread).values_list("recipient_organisation__code", "recipient_department_id", "rule")
    return [rules.Notified(code, unit, rule) for code, unit, rule in rows]


# --- sending --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    recipients: list[rules.Recipient] = field(default_factory=list)
    organisations: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _plan(recipients: Sequence[rules.Recipient], known: Sequence = ()) -> _Plan:
    """Resolve organisations (warning about the unknown and the missing), route to units, and merge. `known`:
    organisations the caller has loaded already (the person's home municipality, the sender), not read again."""
    plan = _Plan()
    if any(r.organisation_code is None for r in recipients):
        plan.warnings.append(WARN_UNKNOWN_HOME_MUNICIPALITY)
    recipients = [r for r in recipients if r.organisation_code is not None]
    codes = {r.organisation_code for r in recipients}
    plan.organisations = {o.code: o for o in known if o is not None and o.is_active and o.code in codes}
    if codes - plan.organisations.keys():
        plan.organisations |= {
            o.code: o for o in Organisation.objects.filter(code__in=codes - plan.organisations.keys(), is_active=True)
        }
    for code in sorted(codes - plan.organisations.keys()):
        plan.warnings.append(WARN_RECIPIENT_MISSING % {"code": code})
    recipients = [r for r in recipients if r.organisation_code in plan.organisations]
    plan.recipients = rules.merge(routing.route(recipients, plan.organisations))
    return plan


def _paragraphs(notice_types) -> dict:
    keys = {t.legal_basis for t in notice_types}
    found = paragraphs_by_key(keys)
    for key in sorted(keys - found.keys()):
        raise ValidationError(MSG_LEGAL_BASIS_MISSING, code="legal_basis_missing", params={"citation": key})
    return found


def _local_date(value: datetime) -> date:
    return timezone.localtime(value).date()


def _snapshot(notice_type: R.NoticeType, recipient: rules.Recipient, event: NoticeEvent, contacts: dict, org) -> dict:
    """Only what this recipient needs (data minimisation): the fields its rule names, from the event's facts."""
    person = event.person
    data: dict = {"cpr": person.cpr, "name": person.full_name}
    for name in notice_type.snapshot_fields:
        if name == "benefits":
            # A benefits request lists the benefits its unit decides on; other notices the person's benefits.
            routed_subjects = notice_type.rule == "admission.benefits"
            data["benefits"] = list(recipient.subjects if routed_subjects else event.facts.get("benefits") or [])
        elif name == "contact":
            data["contact"] = contacts.get(org.pk, {})
        elif name == "request":
            data["request"] = notice_type.request_text
        else:
            data[name] = event.facts.get(name)
    return data


def _create(event: NoticeEvent, plan: _Plan, *, source=None) -> list[Notification]:
    """Create the planned notices with their status history, live links, audit events and deliveries."""
    if not plan.recipients:
        return []
    types = {r.rule: R.notice_type(r.rule) for r in plan.recipients}
    paragraphs = _paragraphs(types.values())
    source = source if source is not None else event.source
    source_type, thread_type = _content_type(source), _content_type(event.thread)
    municipalities = [plan.organisations[r.organisation_code] for r in plan.recipients]
    contacts = (
        krfo_contacts_of(event.sender, municipalities)
        if any("contact" in t.snapshot_fields for t in types.values())
        else {}
    )
    start = _local_date(event.occurred_at)
    today = timezone.localdate()
    now = timezone.now()
    notifications = []
    for recipient in plan.recipients:
        notice_type = types[recipient.rule]
        organisation = plan.organisations[recipient.organisation_code]
        unit = (
            {"recipient_department": recipient.department}
            if recipient.department is not None
            else {"recipient_department_id": recipient.unit}
        )
        notification = Notification(
            recipient_organisation=organisation,
            **unit,
            kind=notice_type.kind,
            rule=notice_type.rule,
            rule_version=notice_type.version,
            needs_answer=notice_type.needs_answer,
            person=event.person,
            source_type=source_type,
            source_id=source.pk,
            thread_type=thread_type,
            thread_id=event.thread.pk,
            sender_organisation=event.sender,
            sent_by=_user_or_none(event.acting_user),
            occurred_at=event.occurred_at,
            snapshot=_snapshot(notice_type, recipient, event, contacts, organisation),
            legal_basis=paragraphs[notice_type.legal_basis],
            due_date=notice_type.deadline.due_for(start, event.facts),
            route_id=recipient.route,
            route_label=recipient.route_label[:300],
        )
        # Registered late (e.g. an admission entered after its deadline): overdue from the start.
        notification.status = notification_status_on(notification, today)
        notifications.append(notification)
    Notification.objects.bulk_create(notifications)
    NotificationStatusChange.objects.bulk_create(
        [
            NotificationStatusChange(
                notification=n, from_status="", to_status=n.status, changed_at=now, acting_user=n.sent_by
            )
            for n in notifications
        ]
    )
    person_links_open(
        event.person,
        [
            LinkOpening(
                organisation=n.recipient_organisation,
                department_id=n.recipient_department_id,
                reason=LinkReason.NOTIFICATION,
                source=n,
            )
            for n in notifications
        ],
        acting_user=event.acting_user,
    )
    audit_record_many(
        [
            {
                "action": "notifications.create",
                "person": event.person,
                "obj": n,
                "purpose": f"{n.get_kind_display()} til {n.recipient_organisation.display_name}",
                "details": {"kind": n.kind, "rule": n.rule, "source": str(source.pk)},
            }
            for n in notifications
        ],
        acting_user=event.acting_user,
    )
    delivery_services.deliveries_create_for(*notifications)
    return notifications


@service_atomic  # inside the sender's service: no savepoint of its own (core.transactions)
def notices_send(event: NoticeEvent) -> NotificationList:
    """Create the notices an event calls for (rules.recipients_for, routed and merged), each with a live
    PersonLink for its recipient, an audit event and its deliveries. `.warnings` says what could not be sent
    (e.g. an unknown home municipality). Raises ValidationError only when a cited legal basis is missing from
    the catalogue (then the sender's whole transaction rolls back)."""
    situation = rules.PersonSituation.from_facts(event.facts)
    already = [] if event.kind == rules.ADMISSION else _already_notified(event.thread)
    plan = _plan(rules.recipients_for(event.kind, situation, already_notified=already), known=_loaded(event))
    created = _create(event, plan)
    if event.ends_thread:
        _thread_ended(event)
    return NotificationList(created, plan.warnings)


def _loaded(event: NoticeEvent) -> list:
    """The organisations the event carries already loaded (no query to find out)."""
    person = event.person
    home = person.home_municipality if type(person).home_municipality.is_cached(person) else None
    return [home, event.sender]


def _settled_at(notice: Notification):
    return settled_at(
        needs_answer=notice.needs_answer, acknowledged_at=notice.acknowledged_at, answered_at=notice.answered_at
    )


def _thread_ended(event: NoticeEvent) -> None:
    """The matter is over: every live notice of the thread says so, and its recipient's link to the person
    runs out by people.link_rules (a while after it is settled; at the latest a longer while after the end)."""
    ended_at = event.occurred_at
    notices = list(
        thread_notices(event.thread)
        .filter(thread_ended_at__isnull=True)
        .only("pk", "recipient_organisation_id", "needs_answer", "acknowledged_at", "answered_at")
    )
    Notification.objects.filter(pk__in=[n.pk for n in notices]).update(thread_ended_at=ended_at)
    ends = []
    for notice in notices:
        at, rule = link_rules.link_expiry_after_end(ended_at=ended_at, settled_at=_settled_at(notice))
        ends.append(LinkEnd(notice, notice.recipient_organisation_id, at, rule))
    person_links_end(ends, acting_user=event.acting_user)


def _settled_after_end(notice: Notification, *, acting_user) -> None:
    """A notice settled after its matter ended: its recipient's link runs out SETTLED_AFTER_END from now."""
    if notice.thread_ended_at is None:
        return
    at, rule = link_rules.link_expiry_after_end(ended_at=notice.thread_ended_at, settled_at=_settled_at(notice))
    person_links_end([LinkEnd(notice, notice.recipient_organisation_id, at, rule)], acting_user=acting_user)


def _sent_for_reconcile(notices) -> list[rules.Sent]:
    """The live notices as reconcile() compares them: their subjects as the rules name them (the benefits of a
    benefits request, the pension of a pension notice)."""
    sent = []
    for notice in notices:
        notice_type = R.notice_type_or_none(notice.rule)
        family = notice_type.family if notice_type is not None else ""
        subjects: tuple[str, ...] = ()
        if notice.rule == "admission.benefits":
            subjects = tuple(notice.snapshot.get("benefits") or ())
        elif family in (R.PENSION_UDK, R.PENSION_RENT) and notice.snapshot.get("pension"):
            subjects = (notice.snapshot["pension"],)
        sent.append(
            rules.Sent(
                notice.pk,
                notice.rule,
                notice.recipient_organisation.code,
                notice.recipient_department_id,
                subjects,
                notice.answered_at is not None,
            )
        )
    return sent


@transaction.atomic
def notices_correct(event: NoticeEvent) -> NotificationList:
    """A correction of the person's facts (home municipality, pension, benefits) during the thread: the
    notices the rules name now are sent, those they no longer name are withdrawn (rules.reconcile). The
    withdrawn ones' recipients are told and lose their link to the person; nothing is deleted."""
    situation = rules.PersonSituation.from_facts(event.facts)
    plan = _plan(rules.recipients_for(rules.CORRECTION, situation))
    live = list(thread_notices(event.thread).select_related("recipient_organisation"))
    withdraw_ids, send = rules.reconcile(plan.recipients, _sent_for_reconcile(live))
    reason = event.reason or "Personens forhold er rettet."
    withdrawn = [
        _withdraw(notice, reason=reason, acting_user=event.acting_user, allow_answered=True)
        for notice in live
        if notice.pk in withdraw_ids
    ]
    plan.recipients = send
    created = _create(event, plan)
    return NotificationList(created, plan.warnings, withdrawn)


# --- withdrawing ----------------------------------------------------------------------------------------


def _lock(notification: Notification) -> Notification:
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient_organisation", "recipient_department", "person")
        .get(pk=notification.pk)
    )


def _set_status(notification: Notification, *, acting_user, now: datetime) -> None:
    """Recompute the stored status; write a history row when it changes. Caller saves the notice (naming
    "list_key" in update_fields when the change settles it: the key is worked out on save, ADR 0013)."""
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


def _withdraw(notification: Notification, *, reason: str, acting_user, allow_answered: bool) -> Notification:
    locked = _lock(notification)
    if locked.withdrawn_at is not None:
        return locked
    if locked.answered_at is not None and not allow_answered:
        raise ValidationError(MSG_WITHDRAW_ANSWERED, code="withdraw_answered")
    now = timezone.now()
    locked.withdrawn_at = now
    locked.withdrawn_by = _user_or_none(acting_user)
    locked.withdrawal_reason = reason
    _set_status(locked, acting_user=acting_user, now=now)
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "status", "list_key", "updated_at"])
    person_links_close_for_source(
        locked, acting_user=acting_user, rule=link_rules.CORRECTED if allow_answered else link_rules.WITHDRAWN
    )
    rows = _write_messages(
        locked,
        ReminderKind.WITHDRAWAL,
        reminders.reminder_addressees(
            organisation_id=locked.recipient_organisation_id,
            department_id=locked.recipient_department_id,
            assigned_user_id=locked.assigned_to_id,
        ),
        now=now,
    )
    delivery_services.deliveries_create_for_messages(rows)
    audit_record(
        "notifications.withdraw",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Trukket tilbage: {locked.get_kind_display()} til {locked.recipient_organisation.display_name}",
        details={"rule": locked.rule, "answered": locked.answered_at is not None},
    )
    return locked


def may_withdraw(user, notification: Notification | None = None) -> bool:
    """KRFO case workers may withdraw the notices they may see (notifications.access: the unit that holds, or for a
    while held, the person; ADR 0008) when their role registers custody events."""
    from samarbejde.organisations.roles import Cap

    membership = active_membership(user)
    return membership is not None and membership.organisation.is_krfo and membership.can(Cap.PERSON_REGISTER)


@transaction.atomic
def notification_withdraw(notification: Notification, *, reason: str, acting_user) -> Notification:
    """KRFO withdraws a notice sent by mistake, with a reason: it is settled, its recipient is told (inbox,
    e-mail, webhook) and loses the link to the person that the notice gave. An answered notice cannot be
    withdrawn (correct the person's facts instead). Withdrawing twice changes nothing."""
    if not may_withdraw(acting_user, notification):
        raise PermissionDenied(MSG_WITHDRAW_NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(MSG_WITHDRAW_REASON_REQUIRED, code="withdraw_reason_required")
    if len(reason) > WITHDRAW_REASON_MAX:
        raise ValidationError(MSG_WITHDRAW_REASON_TOO_LONG, code="withdraw_reason_too_long")
    return _withdraw(notification, reason=reason, acting_user=acting_user, allow_answered=False)


# --- the recipient's steps ------------------------------------------------------------------------------


def _is_recipient(user, notification: Notification) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.organisation_id == notification.recipient_organisation_id


@transaction.atomic
def notification_mark_read(notification: Notification, *, acting_user) -> Notification:
    """Someone opened the notice: always an audited read; the first open by the recipient marks it read."""
    locked = _lock(notification)
    if _is_recipient(acting_user, locked) and locked.read_at is None and locked.withdrawn_at is None:
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
    """The recipient confirms receipt (takes hold). Twice, or at once from two users, changes nothing."""
    if not _is_recipient(acting_user, notification):
        raise PermissionDenied(MSG_NOT_RECIPIENT)
    locked = _lock(notification)
    if locked.acknowledged_at is not None or locked.withdrawn_at is not None:
        return locked
    now = timezone.now()
    locked.acknowledged_at = now
    locked.acknowledged_by = acting_user
    locked.read_at = locked.read_at or now
    _set_status(locked, acting_user=acting_user, now=now)
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "read_at", "status", "list_key", "updated_at"])
    _settled_after_end(locked, acting_user=acting_user)
    audit_record(
        "notifications.acknowledge",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Kvitteret: {locked.get_kind_display()}",
    )
    return locked


def notification_answer(
    notification: Notification,
    *,
    decisions: dict | None = None,
    text: str = "",
    files: Sequence = (),
    acting_user,
) -> NotificationAnswer:
    """The recipient's answer, checked by its rule (notifications.answers.check_answer): decisions per subject
    (benefits, the pension, the rent) plus free text; for a request for case files, text and/or files.

    `decisions` maps a subject to {"code": DecisionCode, "text": str, "effective_date": date | "YYYY-MM-DD" |
    None}. Every file is checked before anything is written, so one bad file stores no answer and no file; a file
    stored before a later failure is deleted again. A second answer (also a concurrent one) returns the first
    and changes nothing (its files are not stored).
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
    checked = answers.check_answer(locked, decisions=decisions, text=text, files=files)
    now = timezone.now()
    answer = NotificationAnswer.objects.create(
        notification=locked, text=checked.text, answered_by=acting_user, answered_at=now
    )
    for decision in checked.decisions:
        decision.answer = answer
    BenefitDecision.objects.bulk_create(checked.decisions)
    stored = _store_attachments(locked, checked.files, acting_user=acting_user, now=now, names=written)
    locked.answered_at = now
    locked.read_at = locked.read_at or now
    if locked.acknowledged_at is None:
        locked.acknowledged_at = now
        locked.acknowledged_by = acting_user
    _set_status(locked, acting_user=acting_user, now=now)
    locked.save(
        update_fields=[
            "answered_at",
            "read_at",
            "acknowledged_at",
            "acknowledged_by",
            "status",
            "list_key",
            "updated_at",
        ]
    )
    _settled_after_end(locked, acting_user=acting_user)
    audit_record(
        "notifications.answer",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"Besvaret: {locked.get_kind_display()}",
        details={
            "answer": str(answer.pk),
            "decisions": [d.subject for d in checked.decisions],
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
    cutoff = timezone.now() - older_than
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


MSG_ASSIGNEE_NOT_MEMBER = "Vælg en kollega med en aktiv tilknytning til %(organisation)s."


@transaction.atomic
def notification_assign(notification: Notification, *, assignee, acting_user) -> Notification:
    """Give the notice to a colleague in the recipient organisation (or to nobody: `assignee=None`).

    Only the recipient's staff may assign, and only to a person (not a service user) with an active membership
    of the recipient organisation. Assigning to the current assignee changes nothing and writes no audit event.
    """
    from samarbejde.notifications.selectors import is_service_user

    if not _is_recipient(acting_user, notification):
        raise PermissionDenied(MSG_NOT_RECIPIENT)
    locked = _lock(notification)
    if assignee is not None and (
        is_service_user(assignee)
        or not Membership.objects.active()
        .filter(user=assignee, organisation_id=locked.recipient_organisation_id)
        .exists()
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


@transaction.atomic
def notifications_mark_overdue(today: date | None = None, *, acting_user=None) -> int:
    """Store status 'overdue' on every unsettled notice past its due date (for the periodic task).

    The lists' key does not change: overdue is a range of it (notifications.status.overdue_key_q), so the lists
    are right before this runs too.

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


def notifications_move_dormant(now: datetime | None = None) -> int:
    """Move the notices whose matter ended longer ago than any link from them lives (status.dormant_after) to
    the lists' dormant tier (ADR 0013): one set-based UPDATE, the key's order within the tier kept. Not a change
    of the notice (updated_at stays: the API's synchronisation has nothing new to fetch). Returns the count."""
    now = now or timezone.now()
    return Notification.objects.filter(
        thread_ended_at__isnull=False, thread_ended_at__lte=now - dormant_after(), list_key__lt=DORMANT_BASE
    ).update(list_key=F("list_key") + DORMANT_BASE)


# --- Follow-up messages and the deadline sweep ----------------------------------------------------------
# The sweep (run by notifications.tasks.notifications_deadline_sweep) marks overdue notices, then records each
# due reminder and escalation (rules in notifications.reminders) as NotificationReminder rows, one per
# addressee, each delivered through the outbox like a notice (inbox, e-mail without personal data, webhook).
# Idempotent: what was sent is recorded and never sent again, and unique constraints back that up.


def _message_rows(notice: Notification, kind: str, addressees, *, now) -> list[NotificationReminder]:
    """One follow-up row per addressee (unsaved)."""
    return [
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


def _write_messages(notice: Notification, kind: str, addressees, *, now) -> list[NotificationReminder]:
    """The message rows of one notice, written with ignore_conflicts (a concurrent sweep that got there first
    is not an error): returns the rows that exist now and were written by this call."""
    return _bulk_write_messages(_message_rows(notice, kind, addressees, now=now))


def _bulk_write_messages(rows: list[NotificationReminder]) -> list[NotificationReminder]:
    if not rows:
        return []
    NotificationReminder.objects.bulk_create(rows, ignore_conflicts=True)
    # Primary keys are made here (uuid4), so a row skipped on conflict still has one: keep only the ones stored.
    stored = set(NotificationReminder.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
    return [r for r in rows if r.pk in stored]


@dataclass
class SweepResult:
    overdue: int = 0  # notices newly marked overdue
    reminded: int = 0  # notices that got their reminder
    escalated: int = 0  # notices that got their escalation
    rows: int = 0  # message rows written (one per addressee)
    dormant: int = 0  # notices moved to the lists' dormant tier


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
        .select_related("person")
        .order_by("due_date", "pk")
    )


def _members_with_role(organisation_ids, role: str) -> dict:
    by_org = defaultdict(list)
    rows = Membership.objects.active().filter(organisation_id__in=organisation_ids, role=role)
    for organisation_id, user_id in rows.order_by("created_at").values_list("organisation_id", "user_id"):
        by_org[organisation_id].append(user_id)
    return by_org


def _active_members(pairs) -> set:
    """Which (organisation id, user id) pairs are active memberships, in one query."""
    user_ids = {user_id for _, user_id in pairs if user_id}
    if not user_ids:
        return set()
    rows = Membership.objects.active().filter(user_id__in=user_ids).values_list("organisation_id", "user_id")
    return set(rows) & set(pairs)


@transaction.atomic
def deadline_sweep(today: date | None = None, *, business_days: int | None = None) -> SweepResult:
    """Mark overdue, remind and escalate as of `today` (default: today in Danish time). Idempotent."""
    today = today or timezone.localdate()
    if business_days is None:
        business_days = reminders.reminder_business_days()
    result = SweepResult(overdue=notifications_mark_overdue(today))
    result.dormant = notifications_move_dormant()
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
            needs_answer=notice.needs_answer,
            due_date=notice.due_date,
            acknowledged_at=notice.acknowledged_at,
            answered_at=notice.answered_at,
            already_sent=already[notice.pk],
            business_days=business_days,
        )
        for notice in notices
    }
    escalating = [n for n in notices if ReminderKind.ESCALATION in due[n.pk]]
    coordinators = _members_with_role({n.recipient_organisation_id for n in escalating}, Role.MUNICIPAL_COORDINATOR)
    leaders = _members_with_role({n.sender_organisation_id for n in escalating}, Role.KRFO_MANAGER)
    senders_in_place = _active_members({(n.sender_organisation_id, n.sent_by_id) for n in escalating})

    now = timezone.now()
    rows: list[NotificationReminder] = []
    audits: list[tuple[str, Notification, list[reminders.Addressee]]] = []
    for notice in notices:
        for kind in due[notice.pk]:
            if kind == ReminderKind.REMINDER:
                addressees = reminders.reminder_addressees(
                    organisation_id=notice.recipient_organisation_id,
                    department_id=notice.recipient_department_id,
                    assigned_user_id=notice.assigned_to_id,
                )
                result.reminded += 1
            else:
                sender_user = notice.sent_by_id
                addressees = reminders.escalation_addressees(
                    recipient_organisation_id=notice.recipient_organisation_id,
                    recipient_department_id=notice.recipient_department_id,
                    coordinator_user_ids=coordinators.get(notice.recipient_organisation_id, ()),
                    sender_organisation_id=notice.sender_organisation_id,
                    leader_user_ids=leaders.get(notice.sender_organisation_id, ()),
                    sender_user_id=sender_user
                    if (notice.sender_organisation_id, sender_user) in senders_in_place
                    else None,
                )
                result.escalated += 1
            rows += _message_rows(notice, kind, addressees, now=now)
            audits.append((kind, notice, addressees))
    stored = _bulk_write_messages(rows)
    result.rows = len(stored)
    delivery_services.deliveries_create_for_messages(stored)
    for kind, notice, addressees in audits:
        escalation = kind == ReminderKind.ESCALATION
        audit_record(
            "notifications.escalate" if escalation else "notifications.remind",
            acting_user=None,
            person=notice.person,
            obj=notice,
            purpose=(
                f"Eskalering: fristen {date_format(notice.due_date, 'DATE_FORMAT')} er overskredet"
                if escalation
                else f"Påmindelse: fristen er {date_format(notice.due_date, 'DATE_FORMAT')}"
            ),
            details={
                "kind": notice.kind,
                "rule": notice.rule,
                "due_date": notice.due_date.isoformat(),
                "users": [str(a.user_id) for a in addressees if a.user_id is not None],
                "organisations": sorted({str(a.organisation_id) for a in addressees}),
            },
        )
    return result


__all__ = [
    "SUBJECT_LABELS",
    "NoticeEvent",
    "NotificationList",
    "attachments_remove_orphans",
    "deadline_sweep",
    "notices_correct",
    "notices_send",
    "notification_acknowledge",
    "notification_answer",
    "notification_assign",
    "notification_mark_read",
    "notification_withdraw",
    "notifications_mark_overdue",
    "notifications_move_dormant",
]
