"""Reads about notifications, always from access-scoped querysets (notifications.access)."""

from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from samarbejde.notifications.access import notifications_visible_to
from samarbejde.notifications.models import Notification, NotificationAnswer
from samarbejde.notifications.status import notification_status_on, overdue_q, unsettled_q


def notification_status(notification: Notification, today: date | None = None) -> str:
    """The status as of today, whether or not the periodic task has stored 'overdue' yet."""
    return notification_status_on(notification, today or timezone.localdate())


def notifications_inbox(
    user,
    *,
    status: str = "",
    department_kind: str = "",
    due_before: date | None = None,
    today: date | None = None,
) -> QuerySet[Notification]:
    """The user's notices: overdue first, then by due date (none last), newest first.

    `status` filters on the status as of `today` (so 'overdue' is right before the periodic task runs).
    """
    today = today or timezone.localdate()
    qs = notifications_visible_to(user).annotate(
        is_overdue=Case(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    if status == "overdue":
        qs = qs.filter(overdue_q(today))
    elif status:
        qs = qs.filter(status=status).exclude(overdue_q(today))
    if department_kind:
        qs = qs.filter(recipient_department__kind=department_kind)
    if due_before:
        qs = qs.filter(due_date__lte=due_before)
    return qs.order_by("-is_overdue", "due_date", "-created_at")


def notification_counts(user, today: date | None = None) -> dict[str, int]:
    """Counts for the start page in one query: unsettled notices, overdue ones, and new ones."""
    today = today or timezone.localdate()
    return notifications_visible_to(user).aggregate(
        open=Count("pk", filter=unsettled_q()),
        overdue=Count("pk", filter=overdue_q(today)),
        new=Count("pk", filter=Q(read_at__isnull=True)),
    )


def notification_answer_of(notification: Notification) -> NotificationAnswer | None:
    """The answer with its decisions (2 queries), or None."""
    return NotificationAnswer.objects.filter(notification=notification).prefetch_related("decisions").first()
