"""The directory's start-page sections (registered in organisations.apps): reviewers see the pending change
requests; proposers (who do not search the audit trail) see their own proposals."""

from django.urls import reverse
from django.utils.translation import gettext as _

from samarbejde.core.startpage import Section
from samarbejde.organisations.access import change_requests_visible_to
from samarbejde.organisations.models import ChangeRequestStatus
from samarbejde.organisations.roles import Cap


def review_section(user, membership):
    if not membership.can(Cap.DIRECTORY_REVIEW):
        return None
    pending = change_requests_visible_to(user).filter(status=ChangeRequestStatus.PENDING)
    return Section(
        _("Ændringsforslag til behandling"),
        items=list(pending.order_by("created_at")[:10]),
        empty_text=_("Ingen ændringsforslag venter."),
        link_url=reverse("organisations:change_request_list"),
        link_text=_("Alle ændringsforslag"),
        count=pending.count(),
    )


def own_proposals_section(user, membership):
    if membership.can(Cap.AUDIT_SEARCH) or not (
        membership.can(Cap.DIRECTORY_PROPOSE_OWN) or membership.can(Cap.DIRECTORY_PROPOSE_ANY)
    ):
        return None
    return Section(
        _("Dine ændringsforslag til kontaktlisten"),
        items=list(change_requests_visible_to(user).order_by("-created_at")[:5]),
        empty_text=_("Du har ikke foreslået ændringer."),
        link_url=reverse("organisations:change_request_list"),
        link_text=_("Foreslå en ændring"),
    )


def directory_lookup_section(user, membership):
    """Roles without cases in Samarbejde yet (the police: KSP and Exit come later) find the municipalities'
    units here: what they can do today."""
    from samarbejde.organisations.roles import Role

    if membership.role != Role.POLICE_OFFICER:
        return None
    return Section(
        _("Kommunernes kontakter"),
        empty_text=_("Find den enhed i kommunen, der tager sig af løsladte, varetægtsfængslede eller Exit."),
        link_url=reverse("public:municipality_list"),
        link_text=_("Søg i kontaktlisten"),
    )
