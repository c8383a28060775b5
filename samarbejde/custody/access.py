"""Who may see and change custody episodes (ADR 0008): need-to-know inside KRFO.

- Seeing an episode: a KRFO organisation with a live link to it. Custody opens a link for the institution
  that admits the person or receives a transfer, and lets it expire a set time after the person is
  transferred on or released (people.link_rules.CUSTODY_MOVED_ON); KiF, the youth unit and the central
  administration have none by default. A user's "need access" grant shows all of that person's episodes.
- Changing an episode (transfer, new release date, release, correction): the institution that holds the
  person now; a transfer may also be reported by the institution that receives the person (custody.services).
- Municipalities, Udbetaling Danmark and the police learn of an episode only through the notices addressed
  to them (notifications.access). Administrators see no case data.
Missing and forbidden give the same 404.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404

from samarbejde.custody.models import Episode
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap
from samarbejde.people.access import has_live_link, live_links_of
from samarbejde.people.link_rules import PERSON_WIDE_REASONS


def episodes_visible_to(user, action: str = "view") -> QuerySet[Episode]:
    membership = active_membership(user)
    qs = Episode.objects.select_related("person__home_municipality", "institution")
    if membership is None or not membership.organisation.is_krfo:
        return qs.none()
    if action == "change":
        if not membership.can(Cap.PERSON_REGISTER):
            return qs.none()
        return qs.filter(institution_id=membership.organisation_id)
    if action == "register":
        # Registering an admission must tell "already in custody" (not where): every episode, unlisted.
        return qs if membership.can(Cap.PERSON_REGISTER) else qs.none()
    if not membership.can(Cap.PERSON_VIEW_ALL):
        return qs.none()
    links = live_links_of(user, membership)
    episode_type = ContentType.objects.get_for_model(Episode)
    return qs.filter(
        has_live_link(
            links.filter(
                Q(source_type=episode_type, source_id=OuterRef("pk"))
                | Q(reason__in=PERSON_WIDE_REASONS, person=OuterRef("person_id"))
            )
        )
    )


def may_change_at(user, institution) -> bool:
    """Whether `user` registers custody events for `institution` (its own institution)."""
    membership = active_membership(user)
    return (
        membership is not None
        and membership.can(Cap.PERSON_REGISTER)
        and institution is not None
        and membership.organisation_id == institution.pk
    )


def access_episode_by_id(user, pk, *, action: str = "view") -> Episode:
    """One episode, or 404 for missing and forbidden alike (also for a malformed id)."""
    try:
        return episodes_visible_to(user, action).get(pk=pk)
    except (Episode.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None
