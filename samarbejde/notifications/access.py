"""Who may see and act on notifications (ADR 0008: live links decide access).

- Municipal, Udbetaling Danmark and police roles (Cap.PERSON_VIEW_LINKED): the notices addressed to their
  own organisation (any department: a department says who handles it, not who may see it), while the
  organisation has a live link to the person (people.link_rules: a notice's link runs out a while after it is
  settled and the stay has ended), and until a notice is withdrawn: then it is no longer theirs (they are
  told, without the person, in their withdrawals list).
- KRFO roles (Cap.PERSON_VIEW_ALL in a KRFO organisation): the notices of the matters (threads) they have a
  live link to (an institution: the episodes of the inmates it holds, and for a while those it let go), and
  all of a person's notices through a user's need-access grant.
- Administrators and everybody else: none.
Acting on a notice (acknowledge, answer) is for the recipient organisation only (a KRFO unit too, for the notices
addressed to it). Missing and forbidden give the same 404.
"""

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404

from samarbejde.notifications.models import Notification
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap
from samarbejde.people.access import has_live_link, live_links_of
from samarbejde.people.link_rules import PERSON_WIDE_REASONS

RECIPIENT_ACTIONS = frozenset({"acknowledge", "answer"})


def notifications_visible_to(user, action: str = "view") -> QuerySet[Notification]:
    membership = active_membership(user)
    qs = Notification.objects.select_related(
        "recipient_organisation", "recipient_department", "legal_basis__act", "person", "sender_organisation"
    )
    if membership is None:
        return qs.none()
    is_krfo = membership.organisation.is_krfo
    links = live_links_of(user, membership)
    if not is_krfo and membership.can(Cap.PERSON_VIEW_LINKED):
        # live_links_of is the organisation's own links: one with the notice's person lets it see the notice.
        return qs.filter(
            has_live_link(links.filter(person_id=OuterRef("person_id"))),
            recipient_organisation_id=membership.organisation_id,
            withdrawn_at__isnull=True,
        )
    if action in RECIPIENT_ACTIONS and not is_krfo:
        return qs.none()
    if is_krfo and membership.can(Cap.PERSON_VIEW_ALL):
        if action in RECIPIENT_ACTIONS:
            # A notice addressed to the KRFO unit itself (e.g. the handleplan's deadline reminder to the
            # institution): the unit takes hold of it like any recipient; of the rest it is the sender, not the
            # recipient.
            qs = qs.filter(recipient_organisation_id=membership.organisation_id, withdrawn_at__isnull=True)
        return qs.filter(
            has_live_link(
                links.filter(
                    Q(source_type_id=OuterRef("thread_type_id"), source_id=OuterRef("thread_id"))
                    | Q(reason__in=PERSON_WIDE_REASONS, person_id=OuterRef("person_id"))
                )
            )
        )
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
