"""Who may see and act on notifications.

- Municipal, Udbetaling Danmark and police roles (Cap.PERSON_VIEW_LINKED): the notices addressed to their
  own organisation (any department: a department says who handles it, not who may see it).
- KRFO roles (Cap.PERSON_VIEW_ALL in a KRFO organisation): the notices of episodes in KRFO's institutions.
- Administrators and everybody else: none.
Acting on a notice (acknowledge, answer) is for the recipient organisation only. Missing and forbidden
give the same 404.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from samarbejde.notifications.models import Notification
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap, OrgKind

RECIPIENT_ACTIONS = frozenset({"acknowledge", "answer"})


def notifications_visible_to(user, action: str = "view") -> QuerySet[Notification]:
    membership = active_membership(user)
    qs = Notification.objects.select_related(
        "recipient_organisation", "recipient_department", "legal_basis__act", "person", "episode__institution"
    )
    if membership is None:
        return qs.none()
    is_krfo = membership.organisation.is_krfo
    if action in RECIPIENT_ACTIONS:
        if is_krfo or not membership.can(Cap.PERSON_VIEW_LINKED):
            return qs.none()
        return qs.filter(recipient_organisation_id=membership.organisation_id)
    if is_krfo and membership.can(Cap.PERSON_VIEW_ALL):
        return qs.filter(episode__institution__kind=OrgKind.KRFO_INSTITUTION)
    if not is_krfo and membership.can(Cap.PERSON_VIEW_LINKED):
        return qs.filter(recipient_organisation_id=membership.organisation_id)
    return qs.none()


def access_notification_by_id(user, pk, *, action: str = "view") -> Notification:
    try:
        return notifications_visible_to(user, action).get(pk=pk)
    except (Notification.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


def attachments_visible_to(user) -> QuerySet:
    """The files attached to answers of the notices the user may see: the recipient organisation's staff
    (notice page) and KRFO's case workers (episode page). Everybody else: none."""
    from samarbejde.notifications.models import NotificationAttachment

    return NotificationAttachment.objects.select_related("notification__person").filter(
        notification__in=notifications_visible_to(user).values("pk")
    )


def access_attachment_by_id(user, pk):
    """One attachment, or 404 for missing and forbidden alike (also for a malformed id)."""
    from samarbejde.notifications.models import NotificationAttachment

    try:
        return attachments_visible_to(user).get(pk=pk)
    except (NotificationAttachment.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None
