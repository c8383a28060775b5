"""Who may see deliveries.

- Whoever may see a notice (KRFO as sender, the recipient organisation) sees its deliveries' states.
- Administrators (Cap.ADMIN_SITE) see every delivery on the dashboard: a delivery row names a channel, an
  organisation and a notice id and kind, never a person, so it is no case data.
- Everybody else: none.
"""

from django.db.models import QuerySet

from samarbejde.organisations.access import user_can
from samarbejde.organisations.roles import Cap

from .models import Delivery


def may_monitor_deliveries(user) -> bool:
    """The delivery dashboard and the technical error codes are for administrators."""
    return user_can(user, Cap.ADMIN_SITE)


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    from samarbejde.notifications.access import notifications_visible_to

    if may_monitor_deliveries(user):
        return Delivery.objects.all()
    return Delivery.objects.filter(notification__in=notifications_visible_to(user).values("pk"))
