"""The deadline sweep, run by the periodic scheduler (samarbejde.core.periodic).

One run: mark overdue notices (notifications_mark_overdue), then send each due reminder and escalation
(rules in notifications.reminders) as in-app NotificationReminder rows with one audit event per notice
(`notifications.remind`, `notifications.escalate`). Idempotent: what was sent is recorded and never sent
again, and unique constraints back that up. E-mail delivery is a later issue (the outbox).

Log lines carry counts only, never personal data.
"""

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.notifications import reminders
from samarbejde.notifications.models import Notification, NotificationReminder, ReminderKind
from samarbejde.notifications.services import notifications_mark_overdue
from samarbejde.notifications.status import unsettled_q
from samarbejde.organisations.models import Membership
from samarbejde.organisations.roles import KRFO_KINDS, Role

logger = logging.getLogger(__name__)


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


@task(queue_name="periodic")
def notifications_deadline_sweep() -> dict:
    """The periodic entry point (every NOTIFICATION_SWEEP_SECONDS): returns the counts."""
    result = deadline_sweep()
    if result.overdue or result.reminded or result.escalated:
        logger.info(
            "deadline sweep: %d overdue, %d reminded, %d escalated",
            result.overdue,
            result.reminded,
            result.escalated,
        )
    return asdict(result)


@task(queue_name="periodic")
def attachments_cleanup() -> int:
    """Remove attachment files that no row refers to (left by a rolled-back answer), older than an hour."""
    from samarbejde.notifications.services import attachments_remove_orphans

    removed = attachments_remove_orphans()
    logger.info("Attachment cleanup removed %d orphaned file(s).", removed)
    return removed
