"""Deadline reminders and escalations: which are due (pure functions) and who sees them (reads).

The rules, all in business days with Danish holidays (samarbejde.core.business_days):

- A *reminder* goes to the recipient organisation (its department, when known, and the colleague the
  notice is assigned to, when one is) once, when an unsettled notice is due within
  NOTIFICATION_REMINDER_BUSINESS_DAYS business days: on or after today, and no later than that many
  business days after today. A notice that is already overdue gets no reminder, only the escalation.
- An *escalation* goes once, when an unsettled notice is past its due date, to the recipient
  organisation's coordinators (role municipal_coordinator; the organisation itself when it has none)
  and to the KRFO case worker who registered the event (the event's acting user).

The deadline sweep (notifications.services.deadline_sweep) writes the rows; the functions here decide and read.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from samarbejde.core.business_days import add_business_days
from samarbejde.notifications.models import ANSWERABLE_KINDS, NotificationReminder, ReminderKind
from samarbejde.notifications.status import is_settled
from samarbejde.organisations.access import active_membership

DEFAULT_REMINDER_BUSINESS_DAYS = 2


def reminder_business_days() -> int:
    return int(getattr(settings, "NOTIFICATION_REMINDER_BUSINESS_DAYS", DEFAULT_REMINDER_BUSINESS_DAYS))


# --- pure: what is due --------------------------------------------------------------------------------


def reminder_window_end(today: date, business_days: int) -> date:
    """The last due date that gets a reminder today: `business_days` business days after today."""
    return add_business_days(today, business_days)


def reminder_is_due(today: date, due_date: date | None, *, business_days: int) -> bool:
    """Due within the window: today <= due_date <= `business_days` business days from today."""
    return due_date is not None and today <= due_date <= reminder_window_end(today, business_days)


def escalation_is_due(today: date, due_date: date | None) -> bool:
    """Past the due date (the due date itself is still on time, as in notifications.status)."""
    return due_date is not None and today > due_date


def actions_due(
    today: date,
    *,
    kind: str,
    due_date: date | None,
    acknowledged_at: datetime | None = None,
    answered_at: datetime | None = None,
    already_sent: Iterable[str] = (),
    business_days: int | None = None,
) -> list[str]:
    """The reminder kinds (ReminderKind values) to send for one notice today; empty when none.

    Settled notices (answered, or acknowledged when no answer is expected) get nothing; each kind is
    sent at most once (`already_sent` holds the kinds recorded before).
    """
    if business_days is None:
        business_days = reminder_business_days()
    if is_settled(kind, acknowledged_at=acknowledged_at, answered_at=answered_at):
        return []
    sent = set(already_sent)
    if escalation_is_due(today, due_date):
        return [] if ReminderKind.ESCALATION in sent else [ReminderKind.ESCALATION]
    if reminder_is_due(today, due_date, business_days=business_days) and ReminderKind.REMINDER not in sent:
        return [ReminderKind.REMINDER]
    return []


@dataclass(frozen=True)
class Addressee:
    """Who one reminder row is for: an organisation (and department), or a user within an organisation."""

    organisation_id: object
    department_id: object = None
    user_id: object = None


def reminder_addressees(*, organisation_id, department_id=None, assigned_user_id=None) -> list[Addressee]:
    """The recipient organisation (its department when known), and the assigned colleague if any."""
    rows = [Addressee(organisation_id, department_id)]
    if assigned_user_id is not None:
        rows.append(Addressee(organisation_id, department_id, assigned_user_id))
    return rows


def escalation_addressees(
    *,
    recipient_organisation_id,
    coordinator_user_ids: Iterable = (),
    krfo_user_id=None,
    krfo_organisation_id=None,
) -> list[Addressee]:
    """The recipient's coordinators (the organisation itself when it has none) and the KRFO case worker
    who registered the event (the KRFO organisation itself when the event had no user, e.g. an import)."""
    coordinators = sorted(set(coordinator_user_ids), key=str)
    rows = [Addressee(recipient_organisation_id, None, uid) for uid in coordinators]
    if not rows:
        rows.append(Addressee(recipient_organisation_id))
    if krfo_organisation_id is not None:
        rows.append(Addressee(krfo_organisation_id, None, krfo_user_id))
    return rows


# --- reads --------------------------------------------------------------------------------------------


def _open_q() -> Q:
    """The notice is not settled yet (status.unsettled_q, seen from the reminder)."""
    return Q(notification__answered_at__isnull=True) & (
        Q(notification__kind__in=ANSWERABLE_KINDS) | Q(notification__acknowledged_at__isnull=True)
    )


def reminders_for(user, *, kind: str | None = None, open_only: bool = True) -> QuerySet[NotificationReminder]:
    """The reminders and escalations addressed to the user in their active membership, newest first.

    A row for a user is theirs; a row for the organisation is for its members (of its department, when
    one is set, or members without a department, such as coordinators). `open_only` hides rows whose
    notice is settled. Rendering a row shows a person: the caller audits the read, as for notices.
    """
    membership = active_membership(user)
    if membership is None:
        return NotificationReminder.objects.none()
    for_organisation = Q(recipient_user__isnull=True)
    if membership.department_id is not None:  # members without a department (coordinators) see every row
        for_organisation &= Q(recipient_department__isnull=True) | Q(recipient_department_id=membership.department_id)
    addressed = Q(recipient_user=user) | for_organisation
    rows = NotificationReminder.objects.filter(Q(recipient_organisation_id=membership.organisation_id) & addressed)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if open_only:
        rows = rows.filter(_open_q())
    return rows.select_related(
        "notification__person", "notification__recipient_organisation", "notification__episode__institution"
    ).order_by("-sent_at", "pk")


def reminder_counts(user) -> dict[str, int]:
    """How many open reminders and escalations the user has: {"reminder": n, "escalation": n}."""
    return reminders_for(user).aggregate(
        reminder=Count("pk", filter=Q(kind=ReminderKind.REMINDER)),
        escalation=Count("pk", filter=Q(kind=ReminderKind.ESCALATION)),
    )


def reminders_of(notification) -> QuerySet[NotificationReminder]:
    """Every reminder row of one notice, oldest first (for its history; the caller checked access)."""
    return (
        NotificationReminder.objects.filter(notification=notification)
        .select_related("recipient_organisation", "recipient_department", "recipient_user")
        .order_by("sent_at", "kind", "pk")
    )
