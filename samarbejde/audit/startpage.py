"""The audit trail's start-page section (registered in audit.apps): a way in for those who may search it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from samarbejde.core.startpage import Section
from samarbejde.organisations.roles import Cap


def audit_section(user, membership):
    if not membership.can(Cap.AUDIT_SEARCH):
        return None
    return Section(
        _("Revisionsspor"),
        empty_text=_("Søg efter hændelser om en person, en bruger eller en organisation."),
        link_url=reverse("audit:search"),
        link_text=_("Søg i revisionssporet"),
    )
