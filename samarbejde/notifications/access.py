"""Who may see and act on notifications.

- Municipal, Udbetaling Danmark and police roles (Cap.PERSON_VIEW_LINKED): the notices addressed to their
  own organisation (any department: a department says who handles it, not who may see it), until a notice is
  withdrawn: then it is no longer theirs (they are told, without the person, in their withdrawals list).
- KRFO roles (Cap.PERSON_VIEW_ALL in a KRFO organisation): the notices KRFO's organisations sent (the sending
  organisation decides; issue 9 narrows this to need-to-know inside KRFO).
- Administrators and everybody else: none.
Acting on a notice (acknowledge, answer) is for the recipient organisation only. Missing and forbidden
give the same 404.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from samarbejde.notifications.models import Notification
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import KRFO_KINDS, Cap

RECIPIENT_ACTIONS = frozenset({"acknowledge", "answer"})


def notifications_visible_to(user, action: str = "view") -> QuerySet[Notification]:
    membership = active_membership(user)
    qs = Notification.objects.select_related(
        "recipient_organisation", "recipient_department", "legal_basis__act", "person", "sender_organisation"
    )
    if membership is None:
        return qs.none()
    is_krfo = membership.organisation.is_krfo
    own = Q(recipient_organisation_id=membership.organisation_id, withdrawn_at__isnull=True)
    if action in RECIPIENT_ACTIONS:
        if is_krfo or not membership.can(Cap.PERSON_VIEW_LINKED):
            return qs.none()
        return qs.filter(own)
    if is_krfo and membership.can(Cap.PERSON_VIEW_ALL):
        return qs.filter(sender_organisation__kind__in=KRFO_KINDS)
    if not is_krfo and membership.can(Cap.PERSON_VIEW_LINKED):
        return qs.filter(own)
    return qs.none()


def access_notification_by_id(user, pk, *, action: str = "view") -> Notification:
    try:
        # The notice page also names who sent it, who withdrew it and which routing line chose its unit.
        return notifications_visible_to(user, action).select_related("sent_by", "withdrawn_by", "route").get(pk=pk)
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
