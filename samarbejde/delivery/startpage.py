"""The delivery app's start-page section (registered in delivery.apps): administrators see the outbox's
failing and dead deliveries as counts (one query), with a link to the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext as _

from samarbejde.core.startpage import Section
from samarbejde.organisations.roles import Cap


def delivery_section(user, membership):
    if not membership.can(Cap.ADMIN_SITE):
        return None
    from samarbejde.delivery.selectors import problem_counts

    counts = problem_counts(user)
    return Section(
        _("Levering af underretninger"),
        # The counts are the whole message (also when nothing fails), so they stand where a list would.
        empty_text=_("%(dead)d opgivne, %(failed)d fejlede og %(pending)d ventende leveringer.") % counts,
        count=counts["failed"] + counts["dead"],
        link_url=reverse("delivery:dashboard"),
        link_text=_("Se leveringsoverblikket"),
    )
