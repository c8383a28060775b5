"""The start page per role: each section says what waits for the current membership.

Later issues add their sections here (notices in the inbox, overdue answers, plans due ...).
The texts are Danish source strings (ADR 0005), translated when the page is built, in the request's language.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samarbejde.organisations.access import active_membership, change_requests_visible_to
from samarbejde.organisations.models import ChangeRequestStatus
from samarbejde.organisations.roles import Cap, Role


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)
    empty_text: str = field(default_factory=lambda: _("Intet venter lige nu."))
    link_url: str = ""
    link_text: str = ""
    count: int | None = None
    summary: str = ""


@dataclass
class StartPage:
    heading: str
    intro: str
    sections: list[Section]


# Marked for the catalogue but kept as plain Danish strings; start_page_for() translates them.
INTROS = {
    Role.KRFO_CASE_WORKER: gettext_noop("Her ser du indsættelser, underretninger og svar, der venter på dig."),
    Role.KRFO_MANAGER: gettext_noop("Her ser du din enheds opgaver og frister."),
    Role.PROBATION_OFFICER: gettext_noop("Her ser du personundersøgelser, tilsyn og KSP-sager."),
    Role.YOUTH_SUPERVISOR: gettext_noop("Her ser du forbedringsforløb og straksreaktioner, du fører tilsyn med."),
    Role.MUNICIPAL_CASE_WORKER: gettext_noop(
        "Her ser du underretninger og anmodninger fra Kriminalforsorgen til din afdeling."
    ),
    Role.MUNICIPAL_COORDINATOR: gettext_noop("Her ser du kommunens samarbejde med Kriminalforsorgen og kontaktlisten."),
    Role.POLICE_OFFICER: gettext_noop("Her ser du KSP- og Exit-sager i din politikreds."),
    Role.UDK_OFFICER: gettext_noop("Her ser du underretninger om pensionister, der indsættes eller løslades."),
    Role.ADMINISTRATOR: gettext_noop("Her ser du ændringsforslag til kontaktlisten og administration af systemet."),
}


def _inbox_section(user) -> Section:
    """Municipalities and Udbetaling Danmark: open notices in the inbox, with new and overdue counts and the
    newest notices (kind and status only: no personal data on the start page)."""
    from django.urls import reverse

    from samarbejde.notifications.selectors import notification_counts, notifications_newest_open

    counts = notification_counts(user)
    newest = notifications_newest_open(user)
    return Section(
        _("Underretninger i indbakken"),
        items=newest,
        empty_text=_("Ingen nye underretninger."),
        link_url=reverse("notifications:inbox"),
        link_text=_("Gå til indbakken"),
        count=counts["open"],
        summary=_("%(new)d nye, %(open)d åbne, %(overdue)d med overskredet frist.") % counts,
    )


def _krfo_unanswered_section(user) -> Section:
    """KRFO: notices of the institution's episodes that the recipient has not settled, and how many are overdue."""
    from django.urls import NoReverseMatch, reverse

    from samarbejde.notifications.selectors import krfo_notice_counts, krfo_unsettled_notices

    counts = krfo_notice_counts(user)
    try:
        link_url = reverse("custody:unsettled_list")
    except NoReverseMatch:  # the KRFO pages are not mounted
        link_url = ""
    return Section(
        _("Ubesvarede underretninger"),
        items=krfo_unsettled_notices(user),
        empty_text=_("Ingen underretninger venter på svar."),
        link_url=link_url,
        link_text=_("Alle ubesvarede underretninger"),
        count=counts["open"],
        summary=_("%(open)d ubesvarede, heraf %(overdue)d med overskredet frist.") % counts,
    )


def _reminders_section(user, *, link_url: str) -> Section:
    """Reminders before a due date and escalations after it (notifications.reminders), as counts only:
    the start page shows no personal data, so it needs no read audit."""
    from samarbejde.notifications.reminders import reminder_counts

    counts = reminder_counts(user)
    total = counts["reminder"] + counts["escalation"]
    return Section(
        _("Påmindelser og eskaleringer"),
        empty_text=_("Ingen påmindelser om frister."),
        summary=_(
            "%(reminder)d påmindelser om frister, der nærmer sig, og %(escalation)d eskaleringer af overskredne frister."
        )
        % counts
        if total
        else "",
        count=total,
        link_url=link_url if total else "",
        link_text=_("Se underretningerne"),
    )


def _delivery_section(user) -> Section:
    """Administrators: the outbox's failing and dead deliveries, as counts (one query), with the dashboard."""
    from django.urls import reverse

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


def start_page_for(user) -> StartPage:
    from django.urls import reverse

    membership = active_membership(user)
    if membership is None:
        return StartPage(
            heading=_("Velkommen"),
            intro=_("Din bruger er ikke tilknyttet en organisation endnu. Kontakt din administrator."),
            sections=[],
        )
    sections: list[Section] = []
    # Case sections only for roles that work on cases: administrators run the system, not cases.
    if membership.can(Cap.PERSON_VIEW_LINKED) and (
        membership.organisation.is_municipality or membership.organisation.kind == "udbetaling_danmark"
    ):
        sections.append(_inbox_section(user))
        sections.append(_reminders_section(user, link_url=reverse("notifications:inbox")))
    if membership.can(Cap.PERSON_VIEW_LINKED) and membership.organisation.kind == "police_district":
        sections.append(Section(_("KSP- og Exit-sager"), empty_text=_("Ingen sager venter.")))
    if membership.can(Cap.PERSON_VIEW_ALL):
        sections.append(_krfo_unanswered_section(user))
        sections.append(_reminders_section(user, link_url=reverse("custody:unsettled_list")))
    if membership.can(Cap.DIRECTORY_REVIEW):
        pending = list(
            change_requests_visible_to(user).filter(status=ChangeRequestStatus.PENDING).order_by("created_at")[:10]
        )
        sections.append(
            Section(
                _("Ændringsforslag til behandling"),
                items=pending,
                empty_text=_("Ingen ændringsforslag venter."),
                link_url=reverse("organisations:change_request_list"),
                link_text=_("Alle ændringsforslag"),
                count=change_requests_visible_to(user).filter(status=ChangeRequestStatus.PENDING).count(),
            )
        )
    if membership.can(Cap.ADMIN_SITE):
        sections.append(_delivery_section(user))
    if membership.can(Cap.AUDIT_SEARCH):
        sections.append(
            Section(
                _("Revisionsspor"),
                empty_text=_("Søg efter hændelser om en person, en bruger eller en organisation."),
                link_url=reverse("audit:search"),
                link_text=_("Søg i revisionssporet"),
            )
        )
    elif membership.can(Cap.DIRECTORY_PROPOSE_OWN) or membership.can(Cap.DIRECTORY_PROPOSE_ANY):
        mine = list(change_requests_visible_to(user).order_by("-created_at")[:5])
        sections.append(
            Section(
                _("Dine ændringsforslag til kontaktlisten"),
                items=mine,
                empty_text=_("Du har ikke foreslået ændringer."),
                link_url=reverse("organisations:change_request_list"),
                link_text=_("Foreslå en ændring"),
            )
        )
    return StartPage(
        heading=_("Forside – %(organisation)s") % {"organisation": membership.organisation.display_name},
        intro=_(INTROS[membership.role]) if membership.role in INTROS else "",
        sections=sections,
    )
