"""Deadline reminders and escalations: which are due (pure functions) and who sees them (reads).

The rules, all in business days with Danish holidays (samarbejde.core.business_days):

- A *reminder* goes to the recipient organisation (its department, when known, and the colleague the
  notice is assigned to, when one is) once, when an unsettled notice is due within
  NOTIFICATION_REMINDER_BUSINESS_DAYS business days: on or after today, and no later than that many
  business days after today. A notice that is already overdue gets no reminder, only the escalation.
- An *escalation* goes once, when an unsettled notice is past its due date, to the recipient (its unit, and
  the organisation's coordinators, role municipal_coordinator) and to the sending organisation: the
  organisation itself, its leaders (role krfo_manager) and the case worker who sent the notice, when still
  there. "Ingen slipper nogen løs, før den næste har fat": the sender follows up until the receiver has hold.
- A *withdrawal* goes to the recipient (its unit and the colleague it was assigned to) when KRFO withdraws
  a notice, or a correction of the person's facts does.

Every row is delivered through the outbox like a notice: in the inbox, by e-mail without personal data (to
the unit's or organisation's functional mailbox, or the user's address) and by webhook (organisation rows).
The deadline sweep (notifications.services.deadline_sweep) writes the rows; the functions here decide and read.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from samarbejde.core.business_days import add_business_days
from samarbejde.notifications.models import NotificationReminder, ReminderKind
from samarbejde.notifications.status import is_settled, unsettled_q
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
    needs_answer: bool,
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
    if is_settled(needs_answer=needs_answer, acknowledged_at=acknowledged_at, answered_at=answered_at):
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
    recipient_department_id=None,
    coordinator_user_ids: Iterable = (),
    sender_organisation_id=None,
    leader_user_ids: Iterable = (),
    sender_user_id=None,
) -> list[Addressee]:
    """The recipient (its unit) and its coordinators; the sending organisation, its leaders and the case
    worker who sent the notice (when still a member there)."""
    rows = [Addressee(recipient_organisation_id, recipient_department_id)]
    rows += [Addressee(recipient_organisation_id, None, uid) for uid in sorted(set(coordinator_user_ids), key=str)]
    if sender_organisation_id is not None:
        rows.append(Addressee(sender_organisation_id))
        leaders = sorted(set(leader_user_ids), key=str)
        rows += [Addressee(sender_organisation_id, None, uid) for uid in leaders]
        if sender_user_id is not None and sender_user_id not in leaders:
            rows.append(Addressee(sender_organisation_id, None, sender_user_id))
    return rows


# --- reads --------------------------------------------------------------------------------------------


def _open_q() -> Q:
    """The notice is not settled yet (status.unsettled_q, seen from the reminder)."""
    return unsettled_q("notification__")


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
    # A row addressed to the user stands for the organisation's row of the same notice and kind (a coordinator
    # gets both: the organisation's for the unit's mailbox and webhook, their own for their address).
    own = NotificationReminder.objects.filter(
        notification=OuterRef("notification"), kind=OuterRef("kind"), recipient_user=user
    )
    rows = rows.exclude(Q(recipient_user__isnull=True) & Exists(own))
    if kind is not None:
        rows = rows.filter(kind=kind)
    if open_only:
        rows = rows.filter(_open_q())
    return rows.select_related(
        "notification__person", "notification__recipient_organisation", "notification__sender_organisation"
    ).order_by("-sent_at", "pk")


def reminder_counts(user) -> dict[str, int]:
    """How many open reminders and escalations the user has: {"reminder": n, "escalation": n}."""
    return reminders_for(user).aggregate(
        reminder=Count("pk", filter=Q(kind=ReminderKind.REMINDER)),
        escalation=Count("pk", filter=Q(kind=ReminderKind.ESCALATION)),
    )


def withdrawals_for(user, *, days: int = 30) -> QuerySet[NotificationReminder]:
    """The withdrawals addressed to the user's organisation in the last `days` days, newest first. Shown
    without the person (the recipient no longer has a reason to see them): kind, dates and the reason."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(days=days)
    return (
        reminders_for(user, kind=ReminderKind.WITHDRAWAL, open_only=False)
        .filter(sent_at__gte=since)
        .select_related(None)
        .select_related("notification__recipient_organisation", "notification__sender_organisation")
        .defer("notification__snapshot")
    )


def reminders_of(notification) -> QuerySet[NotificationReminder]:
    """Every reminder row of one notice, oldest first (for its history; the caller checked access)."""
    return (
        NotificationReminder.objects.filter(notification=notification)
        .select_related("recipient_organisation", "recipient_department", "recipient_user")
        .order_by("sent_at", "kind", "pk")
    )
