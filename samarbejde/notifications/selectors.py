"""Reads about notifications, always from access-scoped querysets (notifications.access), plus the few
unscoped reads that other apps' services need (marked "for services").

Other apps read notices only through here (custody's episode page and lists included), so access scoping
cannot be skipped by accident.
"""

from collections import defaultdict
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from samarbejde.notifications.access import notifications_visible_to
from samarbejde.notifications.models import Notification, NotificationAnswer, NotificationStatus
from samarbejde.notifications.registry import SNAPSHOT_FIELDS, choice_label, notice_type_or_none
from samarbejde.notifications.status import (
    DORMANT_BASE,
    SETTLED_BASE,
    handed_over,
    notification_status_on,
    open_key_q,
    overdue_key_q,
)

STATUS_LABELS = dict(NotificationStatus.choices)


def notification_status(notification: Notification, today: date | None = None) -> str:
    """The status as of today, whether or not the periodic task has stored 'overdue' yet."""
    return notification_status_on(notification, today or timezone.localdate())


# The inbox order, stored (ADR 0013): the key, then the primary key for ties. keyset_page pages through it.
INBOX_ORDERING = ["list_key", "id"]
# The statuses only an open notice has (reading does not settle; acknowledging may, so it is not here).
OPEN_STATUSES = frozenset({NotificationStatus.NEW, NotificationStatus.READ, NotificationStatus.OVERDUE})
# The start page counts at most this many of each kind ("mere end 100"): the cost is bounded by the cap.
COUNT_CAP = 100


def notifications_inbox(
    user,
    *,
    status: str = "",
    department_kind: str = "",
    due_before: date | None = None,
    today: date | None = None,
) -> QuerySet[Notification]:
    """The user's notices in list order (INBOX_ORDERING): open first by due date, so the overdue ones lead;
    then the settled ones, newest first.

    `status` filters on the status as of `today` (so 'overdue' is right before the periodic task runs): overdue
    is a range of the stored key, the other statuses are the stored status outside that range. Served by the
    index (recipient_organisation, list_key, id): a page reads the page's rows in order (ADR 0013).
    """
    today = today or timezone.localdate()
    qs = notifications_visible_to(user).annotate(is_overdue=_is_overdue(today))
    if status in OPEN_STATUSES:
        # Only open notices have these: say so in the words of the partial index over open notices, so the
        # scan reads open notices only and never the settled history (ADR 0013).
        qs = qs.filter(open_key_q())
    if status == NotificationStatus.OVERDUE:
        qs = qs.filter(overdue_key_q(today))
    elif status:
        qs = qs.filter(status=status).exclude(overdue_key_q(today))
    if department_kind:
        qs = qs.filter(recipient_department__kind=department_kind)
    if due_before:
        qs = qs.filter(due_date__lte=due_before)
    return qs.order_by(*INBOX_ORDERING)


def _is_overdue(today: date):
    """`.is_overdue` on each row: in the SELECT only (the order is the stored key's)."""
    return Case(When(overdue_key_q(today), then=Value(True)), default=Value(False), output_field=BooleanField())


def _capped_open(qs, cap: int = COUNT_CAP) -> int:
    """_capped over open notices, the live tier first as one index range (list_key < SETTLED_BASE: a plain
    range the planner walks in order and stops at cap + 1), the dormant tier only when the live one is short."""
    live = _capped(qs.filter(list_key__lt=SETTLED_BASE), cap)
    if live > cap:
        return live
    return live + _capped(qs.filter(list_key__gte=DORMANT_BASE, list_key__lt=DORMANT_BASE + SETTLED_BASE), cap - live)


def _capped(qs, cap: int = COUNT_CAP) -> int:
    """COUNT over LIMIT cap + 1 (the database stops there): a number above `cap` means "more than cap". In key
    order, so the scan reads the live notices before the dormant tier's, and without the joins a list row needs
    (ADR 0013)."""
    return qs.select_related(None).order_by(*INBOX_ORDERING).values("pk")[: cap + 1].count()


def notification_counts(user, today: date | None = None) -> dict[str, int]:
    """Counts for the start page: unsettled notices, overdue ones, and new (unread) ones, each counted up to
    COUNT_CAP + 1 (`capped` says which went past it). Three index range scans over the open notices: an unread
    notice is open (acknowledging and answering mark it read; a withdrawn one is not in the inbox)."""
    today = today or timezone.localdate()
    visible = notifications_visible_to(user)
    counts = {
        "open": _capped_open(visible),
        "overdue": _capped_open(visible.filter(overdue_key_q(today))),
        "new": _capped_open(visible.filter(read_at__isnull=True)),
    }
    return _cap_counts(counts)


def _cap_counts(counts: dict[str, int]) -> dict:
    capped = {name for name, n in counts.items() if n > COUNT_CAP}
    return {**{name: min(n, COUNT_CAP) for name, n in counts.items()}, "capped": capped}


def notifications_newest_open(user, limit: int = 5) -> list[Notification]:
    """The newest unsettled notices (the start page names their kind and status, never the person)."""
    return list(notifications_visible_to(user).filter(open_key_q()).order_by("-created_at")[:limit])


def notification_answer_of(notification: Notification) -> NotificationAnswer | None:
    """The answer with its decisions (2 queries), or None. `.files` are the attached files (1 query more)."""
    answer = NotificationAnswer.objects.filter(notification=notification).prefetch_related("decisions").first()
    if answer is not None:
        answer.files = list(notification.attachments.order_by("uploaded_at", "original_name"))
    return answer


# --- the inbox pages ------------------------------------------------------------------------------------

# The badge class per status (DKFDS badges: colour plus the status word, never colour alone).
STATUS_BADGES = {
    "new": "badge-info",
    "read": "badge",
    "acknowledged": "badge",
    "answered": "badge-success",
    "overdue": "badge-error",
    "withdrawn": "badge",
}


def inbox_for_list(user, *, status="", department_kind="", due_before=None, today=None) -> QuerySet[Notification]:
    """The inbox list: one query for the rows, with what a row shows joined in and nothing else.

    Only the columns the row, its status and the page's cursor use: a page builds some 250 small objects
    instead of 400 full ones (every column of eight tables, the snapshot JSON and the user's password hash
    included), which was most of the page's time once the query read only the page (issue 10)."""
    return (
        notifications_inbox(user, status=status, department_kind=department_kind, due_before=due_before, today=today)
        .select_related(None)
        .select_related("person", "recipient_department", "sender_organisation", "assigned_to")
        .only(*INBOX_ROW_FIELDS)
    )


# What an inbox row shows (notifications/partials/inbox_results.html), its status as of today
# (status.notification_status_on) and the keyset cursor (INBOX_ORDERING) read; nothing else is loaded.
INBOX_ROW_FIELDS = (
    "id",
    "kind",
    "list_key",
    "due_date",
    "needs_answer",
    "read_at",
    "acknowledged_at",
    "answered_at",
    "withdrawn_at",
    "recipient_organisation_id",
    "person__id",
    "person__cpr",
    "person__first_name",
    "person__last_name",
    "recipient_department__id",
    "recipient_department__name",
    "sender_organisation__id",
    "sender_organisation__kind",
    "sender_organisation__name",
    "assigned_to__id",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


def inbox_departments(user) -> list:
    """The departments of the user's organisation (the inbox's department filter)."""
    from samarbejde.organisations.access import active_membership
    from samarbejde.organisations.models import Department

    membership = active_membership(user)
    if membership is None:
        return []
    return list(Department.objects.filter(organisation_id=membership.organisation_id).order_by("name"))


def is_service_user(user) -> bool:
    """An organisation's API service user: acts for a machine, never a colleague to assign work to."""
    return bool(getattr(user, "is_service_account", False))


def assignable_members(organisation) -> list:
    """People with an active membership of `organisation`, by name (whom a notice may be assigned to).
    Service users of API keys are not people: they are left out."""
    from django.contrib.auth import get_user_model

    from samarbejde.organisations.models import Membership

    user_ids = Membership.objects.active().filter(organisation=organisation).values("user_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_service_account=False)
        .order_by("first_name", "last_name", "username")
    )


def notification_history(notification: Notification) -> list:
    """The status history, oldest first, with who made each change."""
    return list(notification.status_changes.select_related("acting_user").order_by("changed_at", "id"))


def decision_phrase(decision) -> str:
    """A decision as a Danish phrase, e.g. 'Kontanthjælp standset pr. 1. april 2027'."""
    from samarbejde.notifications.models import DecisionCode

    when = date_format(decision.effective_date, "DATE_FORMAT") if decision.effective_date else ""
    subject = decision.get_subject_display()
    phrases = {
        DecisionCode.STOPPED: f"standset pr. {when}" if when else "standset",
        DecisionCode.REDUCED: f"nedsat pr. {when}" if when else "nedsat",
        DecisionCode.CONTINUED: f"fortsætter pr. {when}" if when else "fortsætter",
        DecisionCode.RENT_COVERED: f"husleje dækkes til {when}" if when else "husleje dækkes",
        DecisionCode.NO_BENEFIT: "ingen ydelse",
        DecisionCode.OTHER: "anden afgørelse",
    }
    return f"{subject} {phrases.get(decision.code, decision.get_code_display().lower())}"


# --- KRFO's view: the notices its organisations sent ------------------------------------------------------


def _sent_by_own_institution(user, qs):
    """A KRFO institution's staff follow up the notices their institution sent; KRFO users outside an
    institution (KiF, the directorate) the notices they may see at all (their links and grants, ADR 0008)."""
    from samarbejde.organisations.access import active_membership
    from samarbejde.organisations.roles import OrgKind

    membership = active_membership(user)
    if membership is not None and membership.organisation.kind == OrgKind.KRFO_INSTITUTION:
        return qs.filter(sender_organisation_id=membership.organisation_id)
    return qs


def krfo_notice_counts(user, today: date | None = None) -> dict:
    """KRFO's view: unsettled and overdue notices the user's institution sent, each counted up to COUNT_CAP + 1
    (`capped`). Two range scans of the open notices' index."""
    today = today or timezone.localdate()
    qs = _sent_by_own_institution(user, notifications_visible_to(user))
    return _cap_counts({"open": _capped_open(qs), "overdue": _capped_open(qs.filter(overdue_key_q(today)))})


def krfo_unsettled_notices(user, limit: int = 5) -> list[Notification]:
    """The oldest-due unsettled notices the user's institution sent (KRFO start page)."""
    qs = _sent_by_own_institution(user, notifications_visible_to(user)).filter(open_key_q())
    return list(qs.order_by(*INBOX_ORDERING)[:limit])


def notifications_unsettled_sent_by(
    user, organisation, today: date | None = None, *, thread_model=None
) -> QuerySet[Notification]:
    """Notices the organisation sent (in threads of `thread_model`, when given) that are not yet answered (or
    acknowledged, when no answer is needed), in INBOX_ORDERING: by due date, so the overdue ones come first,
    the oldest first within a day. `.is_overdue` says which are overdue. One query; the partial index
    (sender_organisation, list_key, id) over the open notices serves it in order (ADR 0013)."""
    today = today or timezone.localdate()
    qs = notifications_visible_to(user).filter(sender_organisation=organisation)
    if thread_model is not None:
        qs = qs.filter(thread_type=ContentType.objects.get_for_model(thread_model))
    return (
        qs.filter(open_key_q())
        .annotate(
            is_overdue=Case(
                When(overdue_key_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by(*INBOX_ORDERING)
    )


# --- notices by source: the sender's timeline ------------------------------------------------------------


def notices_for_sources(user, sources) -> dict:
    """The notices each source record caused, as the sender's timeline shows them: {source pk: [notice, ...]}.

    Each notice comes with its answer (`.answer_or_none`, with who answered and the decisions), who
    acknowledged it, its status history, its files (`.files`), its status as of today (`.current_status`,
    `.current_status_label`), whether the receiver has taken hold (`.handed_over`), and its deliveries summed
    up (`.delivery_summary`, delivery.selectors.DeliverySummary or None). Constant in the number of sources and
    notices: 1 query for the notices + 5 prefetches (+1 when a notice is answered, +1 when files are attached).
    """
    from samarbejde.delivery.selectors import delivery_queryset, delivery_summary

    sources = list(sources)
    if not sources:
        return {}
    by_type = defaultdict(list)
    for source in sources:
        by_type[ContentType.objects.get_for_model(source)].append(source.pk)
    condition = Q()
    for content_type, ids in by_type.items():
        condition |= Q(source_type=content_type, source_id__in=ids)
    notices = list(
        notifications_visible_to(user)
        .filter(condition)
        .select_related("answer", "route", "withdrawn_by", "sender_organisation")
        .order_by("created_at", "id")
    )
    prefetch_related_objects(
        notices, "acknowledged_by", "status_changes__acting_user", Prefetch("deliveries", queryset=delivery_queryset())
    )
    answers = [notice.answer for notice in notices if _answer_of(notice) is not None]
    prefetch_related_objects(answers, "answered_by", "decisions")
    with_files = [n for n in notices if _answer_of(n) is not None and getattr(n.notice_type, "takes_files", False)]
    prefetch_related_objects(with_files, "attachments")
    today = timezone.localdate()
    now = timezone.now()
    grouped: dict = defaultdict(list)
    for notice in notices:
        notice.delivery_summary = delivery_summary(notice.deliveries.all(), now)
        notice.current_status = notification_status_on(notice, today)
        notice.current_status_label = STATUS_LABELS[notice.current_status]
        notice.answer_or_none = _answer_of(notice)
        notice.files = list(notice.attachments.all()) if notice in with_files else []
        notice.handed_over = handed_over(notice)
        grouped[notice.source_id].append(notice)
    return grouped


def _answer_of(notice: Notification):
    try:
        return notice.answer
    except NotificationAnswer.DoesNotExist:
        return None


def thread_notice_first(thread, *, rule: str):
    """For services: the first live notice of a rule in a thread (e.g. the case-files request of an episode),
    with its recipient joined, or None. Unscoped: the caller is a service that already checked access."""
    content_type = ContentType.objects.get_for_model(thread)
    return (
        Notification.objects.filter(thread_type=content_type, thread_id=thread.pk, rule=rule, withdrawn_at__isnull=True)
        .select_related("recipient_organisation", "recipient_department")
        .order_by("created_at")
        .first()
    )


# --- the snapshot as rows ------------------------------------------------------------------------------


def _format_iso(value, *, with_time: bool) -> str:
    if not value:
        return ""
    try:
        if with_time and "T" in str(value):
            moment = timezone.localtime(datetime.fromisoformat(str(value)))
            return date_format(moment, "DATETIME_FORMAT")
        return date_format(date.fromisoformat(str(value)[:10]), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _join(parts) -> str:
    return ", ".join(str(p) for p in parts if p)


LINK_TEXT = "Åbn siden"


def _shown(field_name: str, shape: str, value, data: dict) -> str:
    if shape == "datetime":
        return _format_iso(value, with_time=True)
    if shape == "date":
        return _format_iso(value, with_time=False)
    if shape == "choice":
        return choice_label(field_name, value) if value else ""
    if shape == "choices":
        return ", ".join(choice_label(field_name, v) for v in value or [])
    if shape == "organisation":
        value = value or {}
        return _join([value.get("name"), value.get("address"), value.get("phone"), value.get("email")])
    if shape == "contact":
        value = value or {}
        return _join(value.get(k) for k in ("unit_name", "person_name", "phone", "secure_mailbox"))
    if shape == "person":
        value = value or {}
        return _join([value.get("name"), value.get("institution")])
    if shape == "link":  # --- action_plans ---: a page of this site (a path), shown as a link
        value = str(value or "")
        return format_html('<a href="{}">{}</a>', value, LINK_TEXT) if value.startswith("/") else ""
    return str(value or "")


def snapshot_rows(notification: Notification, *, data: dict | None = None) -> list[tuple[str, str]]:
    """The notice's snapshot as (Danish label, formatted value) rows: what the recipient was sent, in the order
    its rule lists the fields (notices of a rule no longer in the registry: the fields they carry). The name
    and CPR number are shown apart. `data`: the snapshot with the field policy applied (people.fields
    FieldView.snapshot); a field it leaves out is not shown, not even as "Ikke oplyst"."""
    if data is None:
        data = notification.snapshot or {}
    notice_type = notice_type_or_none(notification.rule)
    names = notice_type.snapshot_fields if notice_type is not None else [k for k in data if k in SNAPSHOT_FIELDS]
    rows: list[tuple[str, str]] = []
    for name in names:
        if name not in data or name not in SNAPSHOT_FIELDS:
            continue
        field = SNAPSHOT_FIELDS[name]
        shown = _shown(name, field.shape, data.get(name), data)
        if name == "expected_release_date" and shown and data.get("release_certainty"):
            shown = f"{shown} ({choice_label('release_certainty', data['release_certainty']).lower()})"
        if name == "release_certainty":
            continue  # shown with the date
        if shown:
            rows.append((field.label, shown))
        elif field.empty:
            rows.append((field.label, field.empty))
    return rows


def withdrawn_notice_of(organisation, pk):
    """For the views: the notice `pk` if it was addressed to `organisation` and is withdrawn (only its
    withdrawal reason is shown; the organisation no longer sees the person), else None."""
    try:
        return (
            Notification.objects.only("id", "withdrawal_reason")
            .filter(pk=pk, recipient_organisation=organisation, withdrawn_at__isnull=False)
            .first()
        )
    except (ValueError, ValidationError):
        return None
