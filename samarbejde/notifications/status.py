"""A notification's status as a pure function of its timestamps, its deadline and today.

A notice is *settled* when it is withdrawn, answered (a notice that needs an answer) or acknowledged (the
others). It is overdue when it has a due date, today is after that date, and it is not settled: the due date
itself is still on time. Reading or acknowledging a notice that needs an answer does not stop it being overdue.
Whether a notice needs an answer is stored on it (`needs_answer`, from the rule that sent it).
"""

from datetime import date, datetime, timedelta

from django.db.models import Q

from samarbejde.notifications.models import NotificationStatus


def settled_at(*, needs_answer: bool, acknowledged_at: datetime | None, answered_at: datetime | None):
    """When the recipient settled the notice (answered; acknowledged, for one that needs no answer), or None."""
    if answered_at is not None:
        return answered_at
    return acknowledged_at if not needs_answer else None


def is_settled(
    *,
    needs_answer: bool,
    acknowledged_at: datetime | None,
    answered_at: datetime | None,
    withdrawn_at: datetime | None = None,
) -> bool:
    if withdrawn_at is not None:
        return True
    return settled_at(needs_answer=needs_answer, acknowledged_at=acknowledged_at, answered_at=answered_at) is not None


def status_on(
    today: date,
    *,
    needs_answer: bool,
    due_date: date | None,
    read_at: datetime | None = None,
    acknowledged_at: datetime | None = None,
    answered_at: datetime | None = None,
    withdrawn_at: datetime | None = None,
) -> str:
    if withdrawn_at is not None:
        return NotificationStatus.WITHDRAWN
    if answered_at is not None:
        return NotificationStatus.ANSWERED
    settled = is_settled(needs_answer=needs_answer, acknowledged_at=acknowledged_at, answered_at=answered_at)
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
        needs_answer=notification.needs_answer,
        due_date=notification.due_date,
        read_at=notification.read_at,
        acknowledged_at=notification.acknowledged_at,
        answered_at=notification.answered_at,
        withdrawn_at=notification.withdrawn_at,
    )


def unsettled_q(prefix: str = "") -> Q:
    """The negation of is_settled(...), as a filter for querysets (`prefix`: e.g. "notification__")."""
    return Q(**{f"{prefix}withdrawn_at__isnull": True, f"{prefix}answered_at__isnull": True}) & (
        Q(**{f"{prefix}needs_answer": True}) | Q(**{f"{prefix}acknowledged_at__isnull": True})
    )


def overdue_q(today: date) -> Q:
    """The same rule as status_on(...) == OVERDUE, as a filter for querysets."""
    return Q(due_date__isnull=False, due_date__lt=today) & unsettled_q()


def handed_over(notification) -> bool:
    """The receiver has taken hold: acknowledged or answered (a withdrawn notice hands nothing over)."""
    return notification.withdrawn_at is None and (
        notification.acknowledged_at is not None or notification.answered_at is not None
    )


# --- the stored list key (ADR 0013) -----------------------------------------------------------------------
# The lists sort by one stored, indexed, non-null number instead of a flag computed for today: ascending
# `list_key` is the list order. Open notices come first, by due date (so the overdue ones, the open ones with
# the earliest due dates, lead without the key ever changing as days pass), the oldest first within a day;
# notices without a due date after them; then the settled ones, newest first. "Overdue as of today" is then a
# range of the key (below overdue_bound(today)), and "open" is another (below SETTLED_BASE).
#
# Dormant notices, whose matter ended longer ago than any recipient's or institution's link from them lives
# (dormant_after()), keep that order after all the others (DORMANT_BASE + the key they had): they are seen only
# through another live link to the person (e.g. a new stay), so a list read in key order reads the rows it
# shows before the long history nobody sees any more. The deadline sweep moves notices there
# (notifications.services.notifications_move_dormant); a save works it out too.

KEY_DAY = 10**10  # room for the creation time in whole seconds since 1970 (until the year 2286)
NO_DUE_ORDINAL = date.max.toordinal()  # an open notice without a due date: after every dated one
SETTLED_BASE = 10**17  # above every open key (NO_DUE_ORDINAL * KEY_DAY + KEY_DAY < SETTLED_BASE)
DORMANT_BASE = 2 * 10**17  # above every live key (SETTLED_BASE + KEY_DAY < DORMANT_BASE)


def dormant_after() -> timedelta:
    """How long after its matter ended a notice still gives anyone a live link (people.link_rules): the
    recipient's at the latest MAX_AFTER_END, the institution's CUSTODY_MOVED_ON."""
    from samarbejde.people import link_rules

    return max(link_rules.MAX_AFTER_END.period, link_rules.CUSTODY_MOVED_ON.period)


def list_key(*, settled: bool, due_date: date | None, created_at: datetime, dormant: bool = False) -> int:
    seconds = int(created_at.timestamp())
    if not settled:
        key = (due_date.toordinal() if due_date is not None else NO_DUE_ORDINAL) * KEY_DAY + seconds
    else:
        key = SETTLED_BASE + (KEY_DAY - 1 - seconds)  # newest first
    return key + (DORMANT_BASE if dormant else 0)


def is_dormant(thread_ended_at: datetime | None, now: datetime) -> bool:
    return thread_ended_at is not None and thread_ended_at <= now - dormant_after()


def notification_list_key(notification, now: datetime | None = None) -> int:
    from django.utils import timezone

    return list_key(
        settled=is_settled(
            needs_answer=notification.needs_answer,
            acknowledged_at=notification.acknowledged_at,
            answered_at=notification.answered_at,
            withdrawn_at=notification.withdrawn_at,
        ),
        due_date=notification.due_date,
        created_at=notification.created_at,
        dormant=is_dormant(notification.thread_ended_at, now or timezone.now()),
    )


def overdue_bound(today: date) -> int:
    """Live open notices due before `today` (overdue as of today) are exactly those with list_key below this
    (dormant ones: DORMANT_BASE more)."""
    return today.toordinal() * KEY_DAY


def _in_both_tiers(upper: int) -> Q:
    return Q(list_key__lt=upper) | Q(list_key__gte=DORMANT_BASE, list_key__lt=DORMANT_BASE + upper)


def open_key_q() -> Q:
    """The open (unsettled) notices by their stored key: the same rows as unsettled_q(), served by an index.
    Also the condition of the partial indexes over open notices (the query must say it the same way)."""
    return _in_both_tiers(SETTLED_BASE)


def overdue_key_q(today: date) -> Q:
    """The same rows as overdue_q(today), by the stored key."""
    return _in_both_tiers(overdue_bound(today))
