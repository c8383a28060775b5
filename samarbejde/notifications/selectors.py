"""Reads about notifications, always from access-scoped querysets (notifications.access)."""

from datetime import date

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
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
    return qs.order_by("-is_overdue", F("due_date").asc(nulls_last=True), "-created_at")


def notification_counts(user, today: date | None = None) -> dict[str, int]:
    """Counts for the start page in one query: unsettled notices, overdue ones, and new ones."""
    today = today or timezone.localdate()
    return notifications_visible_to(user).aggregate(
        open=Count("pk", filter=unsettled_q()),
        overdue=Count("pk", filter=overdue_q(today)),
        new=Count("pk", filter=Q(read_at__isnull=True)),
    )


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
}


def inbox_for_list(user, *, status="", department_kind="", due_before=None, today=None) -> QuerySet[Notification]:
    """The inbox list: one query for the rows, with everything a row shows joined in."""
    return notifications_inbox(
        user, status=status, department_kind=department_kind, due_before=due_before, today=today
    ).select_related("assigned_to")


def inbox_departments(user) -> list:
    """The departments of the user's organisation (the inbox's department filter)."""
    from samarbejde.organisations.access import active_membership
    from samarbejde.organisations.models import Department

    membership = active_membership(user)
    if membership is None:
        return []
    return list(Department.objects.filter(organisation_id=membership.organisation_id).order_by("name"))


def assignable_members(organisation) -> list:
    """Users with an active membership of `organisation`, by name (whom a notice may be assigned to)."""
    from django.contrib.auth import get_user_model

    from samarbejde.organisations.models import Membership

    user_ids = Membership.objects.active().filter(organisation=organisation).values("user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids).order_by("first_name", "last_name", "username"))


def notification_history(notification: Notification) -> list:
    """The status history, oldest first, with who made each change."""
    return list(notification.status_changes.select_related("acting_user").order_by("changed_at", "id"))


def decision_phrase(decision) -> str:
    """A decision as a Danish phrase, e.g. 'Kontanthjælp standset pr. 1. april 2027'."""
    from django.utils.formats import date_format

    from samarbejde.notifications.models import DecisionCode

    when = date_format(decision.effective_date, "j. F Y") if decision.effective_date else ""
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


def krfo_notice_counts(user, today: date | None = None) -> dict[str, int]:
    """KRFO's view: unsettled and overdue notices of the episodes in the user's institution (all
    KRFO institutions for users outside one, e.g. KiF or the directorate). One query."""
    from samarbejde.organisations.access import active_membership
    from samarbejde.organisations.roles import OrgKind

    today = today or timezone.localdate()
    qs = notifications_visible_to(user)
    membership = active_membership(user)
    if membership is not None and membership.organisation.kind == OrgKind.KRFO_INSTITUTION:
        qs = qs.filter(episode__institution_id=membership.organisation_id)
    return qs.aggregate(open=Count("pk", filter=unsettled_q()), overdue=Count("pk", filter=overdue_q(today)))


def krfo_unsettled_notices(user, limit: int = 5) -> list[Notification]:
    """The oldest-due unsettled notices of the user's institution (KRFO start page)."""
    from samarbejde.organisations.access import active_membership
    from samarbejde.organisations.roles import OrgKind

    qs = notifications_visible_to(user).filter(unsettled_q())
    membership = active_membership(user)
    if membership is not None and membership.organisation.kind == OrgKind.KRFO_INSTITUTION:
        qs = qs.filter(episode__institution_id=membership.organisation_id)
    return list(qs.order_by(F("due_date").asc(nulls_last=True), "-created_at")[:limit])


def _format_iso(value, *, with_time: bool) -> str:
    from datetime import datetime

    from django.utils.formats import date_format

    if not value:
        return ""
    try:
        if with_time and "T" in str(value):
            moment = timezone.localtime(datetime.fromisoformat(str(value)))
            return date_format(moment, "j. F Y \\k\\l. H.i")
        return date_format(date.fromisoformat(str(value)[:10]), "j. F Y")
    except ValueError:
        return str(value)


def snapshot_rows(notification: Notification) -> list[tuple[str, str]]:
    """The notice's snapshot as (Danish label, formatted value) rows: what the recipient was sent.

    The name and CPR number are shown apart (the CPR number masked for roles that may not see it).
    """
    from samarbejde.custody.models import CustodyType, ReleaseCertainty, ReleaseKind
    from samarbejde.people.models import Benefit, PensionKind

    data = notification.snapshot or {}
    rows: list[tuple[str, str]] = []

    def add(label: str, value) -> None:
        if value:
            rows.append((label, value))

    def institution_text(inst: dict) -> str:
        parts = [inst.get("name"), inst.get("address"), inst.get("phone"), inst.get("email")]
        return ", ".join(p for p in parts if p)

    add("Frihedsberøvelse", dict(CustodyType.choices).get(data.get("custody_type"), ""))
    add("Institution", institution_text(data.get("institution") or {}))
    add("Indsat", _format_iso(data.get("admitted_at"), with_time=True))
    if "benefits" in data:
        labels = dict(Benefit.choices)
        rows.append(("Ydelser ved indsættelsen", ", ".join(labels.get(b, b) for b in data["benefits"]) or "Ingen"))
    if data.get("pension"):
        add("Pension", dict(PensionKind.choices).get(data["pension"], data["pension"]))
    add("Overført", _format_iso(data.get("transferred_at"), with_time=True))
    add("Fra institution", (data.get("from_institution") or {}).get("name", ""))
    contact = data.get("contact") or {}
    add(
        "Kontakt hos Kriminalforsorgen",
        ", ".join(p for p in (contact.get(k) for k in ("unit_name", "person_name", "phone", "secure_mailbox")) if p),
    )
    add("Tidligere forventet løsladelse", _format_iso(data.get("previous_release_date"), with_time=False))
    if "expected_release_date" in data:
        expected = _format_iso(data.get("expected_release_date"), with_time=False) or "Ukendt"
        certainty = dict(ReleaseCertainty.choices).get(data.get("release_certainty") or "", "")
        rows.append(
            (
                "Forventet løsladelse",
                f"{expected} ({certainty.lower()})" if certainty and expected != "Ukendt" else expected,
            )
        )
    add("Anmodning", data.get("request", ""))
    requester = data.get("requested_by") or {}
    add("Anmodet af", ", ".join(p for p in (requester.get("name"), requester.get("institution")) if p))
    add("Løsladt", _format_iso(data.get("released_at"), with_time=True))
    add("Løsladelsesform", dict(ReleaseKind.choices).get(data.get("release_kind") or "", ""))
    if "address_after_release" in data:
        rows.append(("Adresse efter løsladelse", data.get("address_after_release") or "Ikke oplyst"))
    return rows
