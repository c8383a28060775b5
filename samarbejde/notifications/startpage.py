"""The notifications app's start-page sections (registered in notifications.apps): the recipients' inbox and
KRFO's unanswered notices, each with the reminders and escalations addressed to the user. Counts and kinds
only, never a person: the start page needs no read audit."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from samarbejde.core.startpage import Section
from samarbejde.organisations.roles import Cap, OrgKind

RECIPIENT_KINDS = frozenset({OrgKind.MUNICIPALITY, OrgKind.UDBETALING_DANMARK})


def _reminders_section(user, *, link_url: str) -> Section:
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


def _shown(counts: dict) -> dict[str, str]:
    """The counts as the summary says them: a count past the cap (selectors.COUNT_CAP) as "mere end 100"."""
    return {
        name: (_("mere end %(count)d") % {"count": n} if name in counts["capped"] else str(n))
        for name, n in counts.items()
        if name != "capped"
    }


def inbox_sections(user, membership):
    """Municipalities and Udbetaling Danmark: open notices in the inbox with new and overdue counts and the
    newest notices (kind and status only), and their reminders and escalations."""
    if not membership.can(Cap.PERSON_VIEW_LINKED) or membership.organisation.kind not in RECIPIENT_KINDS:
        return None
    from samarbejde.notifications.selectors import notification_counts, notifications_newest_open

    counts = notification_counts(user)
    inbox = Section(
        _("Underretninger i indbakken"),
        items=notifications_newest_open(user),
        empty_text=_("Ingen nye underretninger."),
        link_url=reverse("notifications:inbox"),
        link_text=_("Gå til indbakken"),
        count=counts["open"],
        summary=_("%(new)s nye, %(open)s åbne, %(overdue)s med overskredet frist.") % _shown(counts),
    )
    return [inbox, _reminders_section(user, link_url=reverse("notifications:inbox"))]


def krfo_sections(user, membership):
    """KRFO: the notices the user's institution sent that the recipient has not settled, how many are overdue,
    and the reminders and escalations addressed to the user or the institution."""
    if not membership.can(Cap.PERSON_VIEW_ALL):
        return None
    from samarbejde.notifications.selectors import krfo_notice_counts, krfo_unsettled_notices

    counts = krfo_notice_counts(user)
    try:
        link_url = reverse("custody:unsettled_list")
    except NoReverseMatch:  # the KRFO pages are not mounted
        link_url = ""
    unanswered = Section(
        _("Ubesvarede underretninger"),
        items=krfo_unsettled_notices(user),
        empty_text=_("Ingen underretninger venter på svar."),
        link_url=link_url,
        link_text=_("Alle ubesvarede underretninger"),
        count=counts["open"],
        summary=_("%(open)s ubesvarede, heraf %(overdue)s med overskredet frist.") % _shown(counts),
    )
    return [unanswered, _reminders_section(user, link_url=link_url)]
