"""Who may see custody episodes: KRFO roles (Cap.PERSON_VIEW_ALL) see every episode; nobody else does.

Municipalities, Udbetaling Danmark and the police learn of an episode only through the notices addressed
to them (notifications.access). Administrators see no case data.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from samarbejde.custody.models import Episode
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap


def episodes_visible_to(user, action: str = "view") -> QuerySet[Episode]:
    membership = active_membership(user)
    qs = Episode.objects.select_related("person__home_municipality", "institution")
    if membership is None or not membership.organisation.is_krfo:
        return qs.none()
    if action == "change":
        return qs if membership.can(Cap.PERSON_REGISTER) else qs.none()
    return qs if membership.can(Cap.PERSON_VIEW_ALL) else qs.none()


def access_episode_by_id(user, pk, *, action: str = "view") -> Episode:
    """One episode, or 404 for missing and forbidden alike (also for a malformed id)."""
    try:
        return episodes_visible_to(user, action).get(pk=pk)
    except (Episode.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None
