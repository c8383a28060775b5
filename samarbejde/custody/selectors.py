"""Reads about custody episodes, always from access-scoped querysets."""

from django.db.models import Prefetch, QuerySet

from samarbejde.custody.access import episodes_visible_to
from samarbejde.custody.models import Episode, EpisodeEvent, EpisodeStatus
from samarbejde.notifications.models import Notification
from samarbejde.organisations.models import Organisation


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
