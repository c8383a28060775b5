"""The start page per role: an intro that says what the role does in Samarbejde today, and the sections the
apps register (samarbejde.core.startpage): each says what waits for the current membership.

The texts are Danish source strings (ADR 0005), translated when the page is built, in the request's language.
No intro promises work the product does not do yet.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samarbejde.core.startpage import Section, sections_for
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Role

__all__ = ["Section", "StartPage", "start_page_for"]


@dataclass
class StartPage:
    heading: str
    intro: str
    sections: list[Section]


# Marked for the catalogue but kept as plain Danish strings; start_page_for() translates them.
INTROS = {
    Role.KRFO_CASE_WORKER: gettext_noop("Her ser du indsættelser, underretninger og svar, der venter på dig."),
    Role.KRFO_MANAGER: gettext_noop("Her ser du din enheds opgaver og frister."),
    # Personundersøgelser (§ 808), KSP and supervision come with later issues: say what the role can do today.
    Role.PROBATION_OFFICER: gettext_noop(
        "Her kan du registrere indsættelser og følge underretningerne om dine klienter. Personundersøgelser, "
        "tilsyn og KSP-samarbejdet kan endnu ikke føres i Samarbejde."
    ),
    Role.YOUTH_SUPERVISOR: gettext_noop(
        "Her kan du slå Kriminalforsorgens klienter op og se deres forløb og underretninger. Forbedringsforløb og "
        "straksreaktioner kan endnu ikke føres i Samarbejde."
    ),
    Role.MUNICIPAL_CASE_WORKER: gettext_noop(
        "Her ser du underretninger og anmodninger fra Kriminalforsorgen til din afdeling."
    ),
    Role.MUNICIPAL_COORDINATOR: gettext_noop("Her ser du kommunens samarbejde med Kriminalforsorgen og kontaktlisten."),
    Role.POLICE_OFFICER: gettext_noop(
        "Her finder du kommunernes kontakter og Kriminalforsorgens vejledninger. KSP- og Exit-sager kan endnu "
        "ikke føres i Samarbejde; kontakt KiF eller fængslet som hidtil."
    ),
    Role.UDK_OFFICER: gettext_noop("Her ser du underretninger om pensionister, der indsættes eller løslades."),
    Role.ADMINISTRATOR: gettext_noop("Her ser du ændringsforslag til kontaktlisten og administration af systemet."),
}


def start_page_for(user) -> StartPage:
    membership = active_membership(user)
    if membership is None:
        return StartPage(
            heading=_("Velkommen"),
            intro=_("Din bruger er ikke tilknyttet en organisation endnu. Kontakt din administrator."),
            sections=[],
        )
    sections = sections_for(user, membership)
    return StartPage(
        heading=_("Forside – %(organisation)s") % {"organisation": membership.organisation.display_name},
        intro=_(INTROS[membership.role]) if membership.role in INTROS else "",
        sections=sections,
    )
