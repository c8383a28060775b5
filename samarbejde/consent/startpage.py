"""The consent app's start-page section (registered in consent.apps): the way in to the list of disclosures
without consent, for managers and administrators (Cap.CONSENT_OVERRIDE_LIST). No query."""

from django.urls import reverse
from django.utils.translation import gettext as _

from samarbejde.core.startpage import Section
from samarbejde.organisations.roles import Cap


def overrides_section(user, membership):
    if not membership.can(Cap.CONSENT_OVERRIDE_LIST):
        return None
    return Section(
        _("Videregivelser uden samtykke"),
        empty_text=_("Hver videregivelse uden et gyldigt samtykke fra borgeren, med lederens begrundelse."),
        link_url=reverse("consent:override_list"),
        link_text=_("Se videregivelser uden samtykke"),
    )
