"""Reads about custody episodes, always from access-scoped querysets."""

from datetime import date

from django.db.models import QuerySet

from samarbejde.custody.access import episodes_visible_to
from samarbejde.custody.models import Episode, EpisodeEvent, EpisodeStatus, EventKind
from samarbejde.notifications.selectors import INBOX_ORDERING, notices_for_sources, notifications_unsettled_sent_by
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import OrgKind


def episode_open_for_person(user, person) -> Episode | None:
    """The person's open episode, if any, for the admission form's "already in custody" (the page names the
    institution and links to the episode only when it is the user's own: ADR 0008)."""
    if not episodes_visible_to(user, action="register").exists():
        return None
    return Episode.objects.select_related("institution").filter(person=person, status=EpisodeStatus.OPEN).first()


def episode_latest_for_person(user, person) -> Episode | None:
    """The person's latest episode the user may see (e.g. after a need-access grant), or None."""
    return episodes_visible_to(user).filter(person=person).order_by("-admitted_at").first()


def episodes_latest_for_persons(user, persons) -> dict:
    """{person id: latest visible episode} for several persons, in one query."""
    latest: dict = {}
    episodes = (
        episodes_visible_to(user).filter(person__in=[p.pk for p in persons]).order_by("person_id", "-admitted_at")
    )
    for episode in episodes:
        latest.setdefault(episode.person_id, episode)
    return latest


# The inmate list's order: longest stay first, the id for ties (a keyset page's order: stored, non-null).
INMATES_ORDERING = ["admitted_at", "id"]


def episodes_current_at(user, institution: Organisation) -> QuerySet[Episode]:
    """Current inmates of an institution, longest stay first (one query, whatever the number of rows)."""
    return (
        episodes_visible_to(user).filter(institution=institution, status=EpisodeStatus.OPEN).order_by(*INMATES_ORDERING)
    )


def episode_page(user, episode_id) -> Episode:
    """One episode with its timeline (`.timeline`: the events, oldest first, with who registered them) and each
    event's notices (`event.notices`, from notifications.selectors.notices_for_sources: answers, decisions,
    status history, deliveries and whether the receiver has taken hold). `.release_not_handed_over` lists the
    release notices the recipient has not acknowledged yet ("ingen slipper nogen løs, før den næste har fat").

    Raises Http404 like access_episode_by_id. Query count is constant in the number of events and notices.
    """
    from samarbejde.custody.access import access_episode_by_id

    episode = access_episode_by_id(user, episode_id)
    events = list(
        EpisodeEvent.objects.filter(episode=episode)
        .select_related("acting_user", "from_institution", "to_institution")
        .order_by("occurred_at", "created_at")
    )
    notices = notices_for_sources(user, events)
    for event in events:
        event.notices = notices.get(event.pk, [])
    _describe_corrections([e for e in events if e.kind == EventKind.CORRECTION])
    episode.timeline = events
    episode.release_not_handed_over = [
        notice
        for event in events
        if event.kind == EventKind.RELEASE
        for notice in event.notices
        if not notice.handed_over and notice.withdrawn_at is None
    ]
    return episode


def _describe_corrections(events) -> None:
    """`event.correction_summary` for each correction: what changed, from and to, in Danish (one query)."""
    from samarbejde.people.models import Benefit, PensionKind

    if not events:
        return
    codes = {
        code
        for event in events
        for side in ("before", "after")
        if (code := (event.payload.get(side) or {}).get("home_municipality"))
    }
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    pensions, benefits = dict(PensionKind.choices), dict(Benefit.choices)

    def shown(field: str, value) -> str:
        if field == "home_municipality":
            return names.get(value, value) if value else "ukendt"
        if field == "pension":
            return pensions.get(value, value).lower()
        return ", ".join(benefits.get(v, v).lower() for v in value or []) or "ingen"

    labels = {"home_municipality": "bopælskommune", "pension": "pension", "benefits": "ydelser"}
    for event in events:
        before, after = event.payload.get("before") or {}, event.payload.get("after") or {}
        event.correction_summary = "; ".join(
            f"{labels[f]} fra {shown(f, before.get(f))} til {shown(f, after.get(f))}"
            for f in event.payload.get("fields", [])
            if f in labels
        )


def krfo_institutions() -> QuerySet[Organisation]:
    """Active KRFO institutions (prisons, local jails, halfway houses) by name: the admission and transfer choices."""
    return Organisation.objects.filter(kind=OrgKind.KRFO_INSTITUTION, is_active=True).order_by("name")


# The unsettled list's order: the notices' stored list key (overdue first, by due date), then id.
UNSETTLED_ORDERING = INBOX_ORDERING


def notifications_unsettled_at(user, institution: Organisation, today: date | None = None):
    """The notices the institution sent that the recipients have not settled (notifications' selector), in
    UNSETTLED_ORDERING."""
    # Only what a row of custody/unsettled_list.html shows, and the cursor (issue 10: the page's cost is its
    # objects once the query reads only the page).
    return (
        notifications_unsettled_sent_by(user, institution, today, thread_model=Episode)
        .select_related(None)
        .select_related("person", "recipient_organisation", "recipient_department", "legal_basis__act")
        .only(
            "id",
            "kind",
            "list_key",
            "thread_id",
            "created_at",
            "due_date",
            "person__id",
            "person__first_name",
            "person__last_name",
            "recipient_organisation__id",
            "recipient_organisation__kind",
            "recipient_organisation__name",
            "recipient_department__id",
            "recipient_department__name",
            "legal_basis__id",
            "legal_basis__reference",
            "legal_basis__act__id",
            "legal_basis__act__short_name",
        )
    )
