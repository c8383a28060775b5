"""Reads about custody episodes, always from access-scoped querysets."""

from datetime import date

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When, prefetch_related_objects
from django.utils import timezone

from samarbejde.custody.access import episodes_visible_to
from samarbejde.custody.models import Episode, EpisodeEvent, EpisodeStatus
from samarbejde.notifications.access import notifications_visible_to
from samarbejde.notifications.models import Notification, NotificationAnswer, NotificationKind, NotificationStatus
from samarbejde.notifications.status import notification_status_on, overdue_q, unsettled_q
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import OrgKind


def episode_open_for_person(user, person) -> Episode | None:
    """The person's open episode, if any (for the admission form: "already in custody")."""
    return episodes_visible_to(user).filter(person=person, status=EpisodeStatus.OPEN).first()


def episodes_current_at(user, institution: Organisation) -> QuerySet[Episode]:
    """Current inmates of an institution, longest stay first (one query, whatever the number of rows)."""
    return episodes_visible_to(user).filter(institution=institution, status=EpisodeStatus.OPEN).order_by("admitted_at")


def episode_timeline(user, episode_id) -> Episode:
    """One episode with its events (and who registered them) and each event's notices, for the episode page.

    Raises Http404 like access_episode_by_id. Query count is constant: episode + events + notices (+ answers).
    """
    from samarbejde.custody.access import access_episode_by_id

    notices = Notification.objects.select_related(
        "recipient_organisation", "recipient_department", "legal_basis__act", "answer"
    ).order_by("created_at")
    events = EpisodeEvent.objects.select_related("acting_user", "from_institution", "to_institution").prefetch_related(
        Prefetch("notifications", queryset=notices)
    )
    episode = access_episode_by_id(user, episode_id)
    episode.timeline = list(events.filter(episode=episode).order_by("occurred_at", "created_at"))
    return episode


def episode_page(user, episode_id) -> Episode:
    """episode_timeline plus what the episode page shows of each notice: its answer's decisions, who answered
    and acknowledged, its status history, and its status as of today (`.current_status`, `.current_status_label`).

    Each notice's deliveries come summed up as `.delivery_summary` (delivery.selectors.DeliverySummary or None).

    Constant in the number of events and notices: episode_timeline's queries + 4 (+1 when a notice is answered,
    +1 when a request for case files is answered: its files).
    """
    from samarbejde.delivery.selectors import delivery_queryset, delivery_summary

    episode = episode_timeline(user, episode_id)
    notices = [notice for event in episode.timeline for notice in event.notifications.all()]
    prefetch_related_objects(
        notices, "acknowledged_by", "status_changes__acting_user", Prefetch("deliveries", queryset=delivery_queryset())
    )
    answers = [notice.answer for notice in notices if _answer_of(notice) is not None]
    prefetch_related_objects(answers, "answered_by", "decisions")
    # Files attached to answers (case files): one query, only when some notice asks for files.
    answered_case_files = [n for n in notices if n.kind == NotificationKind.CASE_FILES_REQUEST and _answer_of(n)]
    prefetch_related_objects(answered_case_files, "attachments")
    today = timezone.localdate()
    labels = dict(NotificationStatus.choices)
    now = timezone.now()
    for notice in notices:
        notice.delivery_summary = delivery_summary(notice.deliveries.all(), now)
        notice.current_status = notification_status_on(notice, today)
        notice.current_status_label = labels[notice.current_status]
        notice.answer_or_none = _answer_of(notice)
        notice.files = list(notice.attachments.all()) if notice in answered_case_files else []
    return episode


def _answer_of(notice: Notification):
    try:
        return notice.answer
    except NotificationAnswer.DoesNotExist:
        return None


def krfo_institutions() -> QuerySet[Organisation]:
    """Active KRFO institutions (prisons, local jails, halfway houses) by name: the admission and transfer choices."""
    return Organisation.objects.filter(kind=OrgKind.KRFO_INSTITUTION, is_active=True).order_by("name")


def notifications_unsettled_at(user, institution: Organisation, today: date | None = None) -> QuerySet[Notification]:
    """Notices of the institution's episodes not yet answered (or acknowledged, for kinds that need no answer):
    overdue first, then by due date (none last), oldest first. One query, whatever the number of rows."""
    today = today or timezone.localdate()
    episodes = episodes_visible_to(user).filter(institution=institution).values("pk")
    return (
        notifications_visible_to(user)
        .filter(episode__in=episodes)
        .filter(unsettled_q())
        .annotate(is_overdue=Case(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-is_overdue", F("due_date").asc(nulls_last=True), "created_at")
    )
