"""A notification's status as a pure function of its timestamps, its deadline and today.

A notice is *settled* when answered (kinds that expect an answer) or acknowledged (the others).
It is overdue when it has a due date, today is after that date, and it is not settled: the due date
itself is still on time. Reading or acknowledging an answerable notice does not stop it being overdue.
"""

from datetime import date, datetime

from django.db.models import Q

from samarbejde.notifications.models import ANSWERABLE_KINDS, NotificationStatus


def is_settled(kind: str, *, acknowledged_at: datetime | None, answered_at: datetime | None) -> bool:
    if answered_at is not None:
        return True
    return kind not in ANSWERABLE_KINDS and acknowledged_at is not None


def status_on(
    today: date,
    *,
    kind: str,
    due_date: date | None,
    read_at: datetime | None = None,
    acknowledged_at: datetime | None = None,
    answered_at: datetime | None = None,
) -> str:
    if answered_at is not None:
        return NotificationStatus.ANSWERED
    settled = is_settled(kind, acknowledged_at=acknowledged_at, answered_at=answered_at)
    if due_date is not None and today > due_date and not settled:
        return NotificationStatus.OVERDUE
    if acknowledged_at is not None:
        return NotificationStatus.ACKNOWLEDGED
    if read_at is not None:
        return NotificationStatus.READ
    return NotificationStatus.NEW


def notification_status_on(notification, today: date) -> str:
    return status_on(
        today,
        kind=notification.kind,
        due_date=notification.due_date,
        read_at=notification.read_at,
        acknowledged_at=notification.acknowledged_at,
        answered_at=notification.answered_at,
    )


def unsettled_q() -> Q:
    """The negation of is_settled(...), as a filter for querysets."""
    return Q(answered_at__isnull=True) & (Q(kind__in=ANSWERABLE_KINDS) | Q(acknowledged_at__isnull=True))


def overdue_q(today: date) -> Q:
    """The same rule as status_on(...) == OVERDUE, as a filter for querysets."""
    return Q(due_date__isnull=False, due_date__lt=today) & unsettled_q()
