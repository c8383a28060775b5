"""The § 808 start-page section for KiF (registered in pre_sentence.apps): a count and a link, never a person."""

from django.urls import reverse
from django.utils.translation import gettext as _

from samarbejde.core.startpage import Section


def kif_sections(user, membership):
    from samarbejde.pre_sentence.access import investigations_visible_to, works_on_investigations
    from samarbejde.pre_sentence.models import InvestigationStatus

    if not works_on_investigations(user):
        return None
    count = investigations_visible_to(user).filter(status=InvestigationStatus.OPEN).count()
    return Section(
        _("Personundersøgelser (§ 808)"),
        empty_text=_("Ingen åbne personundersøgelser."),
        summary=_("%(count)d åbne personundersøgelser.") % {"count": count} if count else "",
        count=count,
        link_url=reverse("pre_sentence:investigation_list"),
        link_text=_("Se og opret personundersøgelser"),
    )
